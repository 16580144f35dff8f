"""Seven fidelity checks (text, images, links, emph, clean, struct, hexo), for tests.

The Markdown is rendered as Hexo's marked does by default (CommonMark, breaks: true, GFM tables
and strikethrough) with markdown-it-py, and compared with what a reader's browser shows of the
source HTML: the page's scripts have run (Cloudflare's e-mail decoder; a lazy loader swaps in
data-src and kin), so an image passes when its URL is any URL the source image may show.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

from postkit.core.document import Document
from bs4 import BeautifulSoup, NavigableString
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from markdown_it import MarkdownIt

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
RENDERER = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])

ALLOWED_RAW_TAGS = {"br", "sup", "sub", "u", "kbd", "mark", "video", "audio", "source", "iframe",
                    "figure", "figcaption", "details", "summary", "code"}
SAFE_ATTRIBUTES = {"src", "href", "title", "alt", "width", "height", "controls", "allowfullscreen"}
INVISIBLE = ["script", "style", "noscript", "template"]
LINE_BREAKING = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                 "pre", "table", "tr", "td", "th", "section", "article", "header", "footer", "figure",
                 "figcaption", "hr", "dl", "dt", "dd"}
# A lazy loader's stand-in: data: or a whole file name such as pic_blank.gif or loading.gif.
NOT_AN_IMAGE_URL = re.compile(
    r"^data:|(?:^|/)(?:[a-z0-9]+[_-])?(?:blank|spacer|placeholder|loading|lazy|grey|gray|transparent|1x1)"
    r"(?:[-_]?\d+x\d+)?\.(?:gif|png|svg|jpe?g|webp)(?:[?#].*)?$",
    re.I,
)
LAZY_ATTRIBUTES = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-original-src")
CLOUDFLARE_LINK = re.compile(r"cdn-cgi/l/email-protection#([0-9a-fA-F]+)$")
TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")
FENCED_CODE = re.compile(r"^ *(`{3,}|~{3,})[^\n]*\n.*?^ *\1[ \t]*$", re.S | re.M)
SPACE = re.compile(r"\s+")
ATTRIBUTE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?")


def split_post(text: str) -> tuple[str, str]:
    """(head, body): the front matter block with what precedes it, byte for byte, and the body."""
    document = Document.from_text(text)
    bom = "\ufeff" if document.bom else ""
    return bom + document.head, document.body


def corpus_posts() -> list[Path]:
    return sorted(CORPUS.rglob("*.md")) if CORPUS.is_dir() else []


def _soup(html: str, scripts: bool = False) -> BeautifulSoup:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(INVISIBLE):
        tag.decompose()
    for node in [n for n in soup.descendants if isinstance(n, (Comment, Doctype, Declaration, ProcessingInstruction))]:
        node.extract()
    for frame in soup.find_all("iframe"):
        frame.clear()  # a browser shows the framed page, never the fallback inside <iframe>
    if scripts:
        _decode_cloudflare_email(soup)
    return soup


def _cloudflare_address(encoded: str) -> str | None:
    try:
        data = bytes.fromhex(encoded)
        return bytes(byte ^ data[0] for byte in data[1:]).decode("utf-8")
    except (ValueError, IndexError, UnicodeDecodeError):
        return None


def _decode_cloudflare_email(soup: BeautifulSoup) -> None:
    """What Cloudflare's email-decode script does in the reader's browser."""
    for link in soup.find_all("a", href=CLOUDFLARE_LINK):
        address = _cloudflare_address(CLOUDFLARE_LINK.search(link["href"]).group(1))
        if address:
            link["href"] = "mailto:" + address
    for tag in soup.find_all(attrs={"data-cfemail": True}):
        address = _cloudflare_address(tag["data-cfemail"])
        if address is None:
            continue
        if tag.name == "a":
            tag.string = address
            tag["href"] = "mailto:" + address
        else:
            tag.replace_with(address)


def _srcset_urls(srcset: str) -> list[str]:
    # HTML "parse a srcset attribute": a URL runs to whitespace; a trailing comma ends it
    urls, rest = [], srcset
    while rest.strip(" \t\n\r\f,"):
        rest = rest.lstrip(" \t\n\r\f,")
        url = re.match(r"\S+", rest).group(0)
        rest = rest[len(url):]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            rest = rest.split(",", 1)[1] if "," in rest else ""
        urls.append(url)
    return urls


def _image_urls(img) -> list[str]:
    """Every URL the reader's browser may show for this <img>; [] when none is a real picture."""
    candidates = []
    src = (img.get("src") or "").strip()
    if src:
        candidates.append(src)
    candidates += [img[name].strip() for name in LAZY_ATTRIBUTES if (img.get(name) or "").strip()]
    for name in ("srcset", "data-srcset", "data-lazy-srcset"):
        candidates += _srcset_urls(img.get(name) or "")
    undone = [re.sub(r"[?&#]is-pending-load=1(#038;|&)?", lambda m: "?" if m.group(0)[0] == "?" else "&", url).rstrip("?&").replace("#038;", "&") for url in candidates]
    return [url for url in undone if not NOT_AN_IMAGE_URL.search(url)]


def _is_pixel(img, url: str) -> bool:
    return (img.get("width") in ("0", "1") and img.get("height") in ("0", "1")) or "/_/stat?" in url


def _same_url(url: str) -> str:
    # markdown-it percent-encodes what a browser would encode anyway; compare the decoded forms
    url = "https:" + url if url.startswith("//") else url
    return unquote(url)


def _images(soup) -> list[list[str]]:
    """For each image a reader sees, the URLs it may show (the rendered Markdown has one each)."""
    images = []
    for img in soup.find_all("img"):
        urls = _image_urls(img)
        if urls and not _is_pixel(img, urls[0]):
            images.append([_same_url(url) for url in urls])
    return images


def _links(soup) -> list[str]:
    hrefs = []
    for a in soup.find_all("a"):
        href = (a.get("href") or "").strip()
        if href and not href.lower().startswith(("javascript:", "#")):
            hrefs.append(_same_url(href))
    return hrefs


def _trim_punctuation(text: str) -> str:
    start, end = 0, len(text)
    while start < end and unicodedata.category(text[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(text[end - 1])[0] in "PS":
        end -= 1
    return text[start:end]


def _spans(soup, names: list[str]) -> set[str]:
    found = set()
    for tag in soup.find_all(names):
        if tag.find_parent(names) is None:
            text = _trim_punctuation(SPACE.sub("", tag.get_text()))
            if text:
                found.add(text)
    return found


def _lines(soup) -> list[str]:
    lines, current = [], []

    def end_line():
        line = SPACE.sub("", "".join(current))
        if line:
            lines.append(line)
        current.clear()

    stack = [(soup, False)]
    # iterative walk: a marker entry ends the line after a line-breaking element's children
    while stack:
        node, closing = stack.pop()
        if closing:
            end_line()
            continue
        if isinstance(node, NavigableString):
            current.append(str(node))
            continue
        breaking = node.name in LINE_BREAKING
        if breaking:
            end_line()
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    end_line()
    return lines


def _structure(soup) -> dict:
    def non_empty(tag) -> bool:
        return bool(SPACE.sub("", tag.get_text())) or tag.find("img") is not None

    headings = re.compile(r"^h[1-6]$")
    return {
        "headings": sum(1 for t in soup.find_all(headings) if non_empty(t) and t.find_parent(headings) is None),
        "list items": sum(1 for t in soup.find_all("li") if non_empty(t)),
        "table cells": sum(1 for t in soup.find_all(["td", "th"]) if non_empty(t)),
        "code blocks": len(soup.find_all("pre")),
        "lines": _lines(soup),
    }


def _raw_html_problems(tokens) -> list[str]:
    problems = []
    stack = list(tokens)
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        if token.type not in ("html_block", "html_inline"):
            continue
        for tag in re.finditer(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>", token.content):
            name = tag.group(2).lower()
            if name not in ALLOWED_RAW_TAGS:
                problems.append(f"tag <{name}>")
            for attribute in ATTRIBUTE.findall(tag.group(3)):
                if attribute.lower() not in SAFE_ATTRIBUTES and not tag.group(1):
                    problems.append(f"attribute {attribute} on <{name}>")
    return problems


def fidelity(html: str, markdown: str) -> dict[str, str]:
    """The failed checks of one conversion, each with a short reason; empty when all seven pass."""
    tokens = RENDERER.parse(markdown)
    source, rendered = _soup(html, scripts=True), _soup(RENDERER.renderer.render(tokens, RENDERER.options, {}))
    failed = {}
    if SPACE.sub("", source.get_text()) != SPACE.sub("", rendered.get_text()):
        failed["text"] = "visible text differs"
    shown, drawn = _images(source), _images(rendered)
    if len(shown) != len(drawn) or any(urls[0] not in may_show for may_show, urls in zip(shown, drawn)):
        failed["images"] = f"{shown[:3]} != {drawn[:3]}"
    if _links(source) != _links(rendered):
        failed["links"] = f"{len(_links(source))} links in the source, {len(_links(rendered))} rendered"
    for names, kind in ((["strong", "b"], "strong"), (["em", "i"], "em")):
        lost = _spans(source, names) - _spans(rendered, names)
        if lost:
            failed["emph"] = f"{kind} lost: {sorted(lost)[:3]}"
    problems = _raw_html_problems(tokens)
    if problems:
        failed["clean"] = ", ".join(problems[:5])
    before, after = _structure(source), _structure(rendered)
    differing = [key for key in before if before[key] != after[key]]
    if differing:
        failed["struct"] = ", ".join(differing)
    if TEMPLATE_SYNTAX.search(FENCED_CODE.sub("", markdown)):
        failed["hexo"] = "template syntax outside fenced code"
    return failed
