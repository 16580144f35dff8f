"""Every front matter form Hexo reads stays byte-identical through convert; traditional refuses the forms it cannot edit."""

from __future__ import annotations

import pytest
from conftest import run_postkit, write

BODY = "<p>hi</p><div>x</div>"
# Hexo's forms that postkit's own '---' splitter does not find: the ';;;' JSON block and a block with no opening fence.
HEADS = [
    ';;;\n"title": "x", "date": "2021-01-01T00:00:00Z"\n;;;\n',
    ';;;;\n"title": "x"\n;;;;\n\n',
    ';;;\r\n"title": "x",\r\n"tags": ["a"]\r\n;;;\r\n',
    "title: x\ndate: 2021-01-01\n---\n",
    '"title": "x"\n;;;\n',
]


@pytest.mark.parametrize("head", HEADS)
def test_hexo_front_matter_stays_byte_identical_in_place(tmp_path, head):
    post = write(tmp_path / "a.md", head + BODY)
    result = run_postkit("convert", "--in-place", str(post))
    assert result.returncode == 0, result.stdout + result.stderr
    text = post.read_bytes().decode()
    assert text.startswith(head)
    body = text[len(head) :].replace("\r\n", "\n")
    assert body == "hi\n\nx\n"


@pytest.mark.parametrize("head", HEADS)
def test_traditional_refuses_front_matter_it_cannot_edit(tmp_path, head):
    post = write(tmp_path / "a.md", head + "<p>这是</p>")
    for extra in ([], ["--convert"]):
        result = run_postkit("traditional", *extra, str(post))
        assert result.returncode == 1
        assert "TRD001 Hexo reads front matter here" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
        assert not (tmp_path / "a.zh-Hant.md").exists()


CR_ONLY = ["---\rtitle: x\r---\r<p>hi</p><div>x</div>\r", ';;;\r"title": "x"\r;;;\r<p>hi</p>', "<p>hi</p>\r<div>x</div>"]


@pytest.mark.parametrize("text", CR_ONLY)
def test_cr_only_posts_are_refused_never_rewritten(tmp_path, text):
    post = write(tmp_path / "a.md", text)
    for command in (["convert", "--in-place"], ["traditional"], ["traditional", "--convert"]):
        result = run_postkit(*command, str(post))
        assert result.returncode == 1
        assert "a.md:1:1: OUT003 the line breaks are bare CR" in result.stdout
        assert post.read_bytes() == text.encode()
        assert not (tmp_path / "a.zh-Hant.md").exists()


def test_crlf_and_lf_posts_still_convert(tmp_path):
    for name, newline in (("lf.md", "\n"), ("crlf.md", "\r\n")):
        head = f"---{newline}title: x{newline}---{newline}"
        post = write(tmp_path / name, head + BODY + newline)
        assert run_postkit("convert", "--in-place", str(post)).returncode == 0
        assert post.read_bytes().decode() == head + f"hi{newline}{newline}x{newline}"
