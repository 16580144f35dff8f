"""Deeply nested HTML converts in one linear pass: 100,000 levels, under a memory and CPU limit.

Each case runs in a child process whose address space (RLIMIT_AS) and CPU time (RLIMIT_CPU) are
capped with resource.setrlimit, so a regression to quadratic flattening or an exploding tree
fails this test instead of taking the machine down. Timings are figures for
benchmarks/convert_deep.py, not assertions here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

resource = pytest.importorskip("resource")

ADDRESS_SPACE = 1536 * 1024 * 1024  # bytes; the 100k-level body peaks near 300 MB resident
CPU_SECONDS = 240  # the quadratic flattening this replaces needed about 500 s for 100k levels

CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
resource.setrlimit(resource.RLIMIT_CPU, (int(sys.argv[4]), int(sys.argv[4])))
from postkit.convert.html_to_markdown import html_to_markdown
levels, tag = int(sys.argv[1]), sys.argv[2]
html = "<p>开头</p>" + f"<{tag}>词" * levels + '<img src="https://example.cn/deep.png">' + f"</{tag}>" * levels + "<p>结尾</p>"
markdown = html_to_markdown(html)
print(json.dumps({"words": markdown.count("词"), "image": "https://example.cn/deep.png" in markdown,
                  "start": markdown.startswith("开头"), "end": markdown.rstrip().endswith("结尾"),
                  "quote_depth": max((len(line) - len(line.lstrip("> ")) for line in markdown.splitlines()), default=0)}))
"""


def convert_in_child(levels: int, tag: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(levels), tag, str(ADDRESS_SPACE), str(CPU_SECONDS)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


@pytest.mark.parametrize("tag", ["div", "blockquote", "ul", "table", "span"])
def test_100000_levels_convert_within_the_limits_and_keep_every_word(tag: str) -> None:
    result = convert_in_child(100_000, tag)
    assert result["words"] == 100_000
    assert result["image"] and result["start"] and result["end"]


def test_quotes_deeper_than_ten_levels_are_drawn_as_plain_blocks() -> None:
    result = convert_in_child(1_000, "blockquote")
    assert result["words"] == 1_000
    assert result["quote_depth"] <= 2 * 10  # "> " per level, ten levels at most


CHUNKS_CHILD = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
resource.setrlimit(resource.RLIMIT_CPU, (int(sys.argv[4]), int(sys.argv[4])))
from postkit.convert.post import body_to_markdown, html_chunks
levels, shape = int(sys.argv[1]), sys.argv[2]


def body(levels):
    if shape == "nested":
        return "<div>" * levels + "词" + "</div>" * levels
    if shape == "stray":
        return "<div>" * levels + "词" + "</span></div>" * levels
    # many sibling blocks deep inside wrappers: cut points at every depth
    return "<section>" * levels + "<p>词</p>" * levels + "</section>" * levels


pieces = html_chunks(body(levels), 1 << 16)
# The cut pieces convert to what the whole converts to; the whole conversion at full depth is
# test_100000_levels_convert_within_the_limits_and_keep_every_word's, so a tenth is enough here.
markdown = body_to_markdown(body(levels // 10), size=1 << 12).markdown
print(json.dumps({"pieces": len(pieces), "words": markdown.count("词")}))
"""


@pytest.mark.parametrize("shape", ["nested", "stray", "siblings"])
def test_chunking_100000_levels_is_linear(shape: str) -> None:
    """html_chunks keeps its depth bookkeeping as it goes: no rescan of the open elements per tag."""
    result = subprocess.run(
        [sys.executable, "-c", CHUNKS_CHILD, "100000", shape, str(ADDRESS_SPACE), str(CPU_SECONDS)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert figures["words"] == (10_000 if shape == "siblings" else 1)
    assert figures["pieces"] >= (2 if shape == "siblings" else 1)
