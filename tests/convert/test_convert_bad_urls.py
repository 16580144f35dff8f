"""URLs that urllib cannot parse (an unclosed IPv6 bracket) are kept as written, never a crash."""

from __future__ import annotations

import pytest
from conftest import run_postkit, write

from postkit.convert.html_to_markdown import convert_html

BAD = ["http://[bad", "http://[::1", "https://[::1/a.png", "//[x"]


@pytest.mark.parametrize("bad", BAD)
def test_unparsable_urls_are_kept(bad):
    html = f'<p><a href="{bad}">x</a> <img src="{bad}" alt="i"> <a href="rel.html">r</a></p>'
    for base in (None, "https://example.com/a/", bad):
        markdown = convert_html(html, base_url=base).markdown
        assert "[x](" in markdown and "![i](" in markdown and "[r](" in markdown


@pytest.mark.parametrize("command", [["convert"], ["traditional", "--convert"]])
@pytest.mark.parametrize("bad", BAD)
def test_unparsable_urls_in_front_matter_and_body_do_not_crash(tmp_path, command, bad):
    post = write(tmp_path / "a.md", f'---\nlink: {bad}\ntitle: 标题\n---\n<p><a href="rel.html">x</a><a href="{bad}">y</a></p><div>z</div>\n')
    site = tmp_path / "site"
    write(site / "_config.yml", "title: t\n")
    inside = write(site / "source" / "_posts" / "b.md", post.read_text())
    for target in (post, inside):
        result = run_postkit(*command, str(target))
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "internal error" not in output and "Traceback" not in output
    converted = run_postkit("convert", str(post)).stdout
    assert "[y](" in converted and bad in converted
