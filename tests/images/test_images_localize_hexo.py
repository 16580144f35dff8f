"""--localize end to end: Hexo 7 generates the localized site, and headless Chromium shows every picture with the picture hosts gone.

Hexo comes from the npm install the render test uses (tests/hexo's lock file,
installed into build/hexo by ``install_hexo``); ``hexo generate`` runs through
hexo-cli in a site whose node_modules is that install. Every ``<img>`` in the
generated HTML (src, lazy attributes, srcset) must name a file in public/.
The browser part stops the picture servers, serves public/ on 127.0.0.1 and
asks Chromium whether each ``<img>`` decoded (``naturalWidth`` > 0).

Needs node and npm (skips without them) and, for the browser part, the
headless Chromium of ``chromium_helpers`` (the browser differential test's;
skips with the reason when it is absent).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from chromium_helpers import chromium_images, chromium_session, chromium_worker, needs_chromium
from hexo_render import install_hexo, needs_hexo
from images_helpers import images_runner, start_server
from localize_helpers import img_urls, make_site, serve_pictures, serve_wechat
from pytest_httpserver import HTTPServer

pytestmark = needs_hexo

# The smallest theme that shows what themes do: the post's HTML, and its cover through url_for.
POST_LAYOUT = (
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head><body>"
    "{% if page.cover %}<img class=\"cover\" src=\"{{ url_for(page.cover) }}\">{% endif %}"
    "<article>{{ page.content | safe }}</article></body></html>\n"
)
MODES = {
    "asset-folder-postAsset": {"asset_folder": True, "post_asset": True},
    "asset-folder-asset_img": {"asset_folder": True, "post_asset": False},
    "site-images-folder": {"asset_folder": False},
    "site-images-folder-under-root": {"asset_folder": False, "url_root": "/blog/"},
}


def post_text(base: str, wechat_base: str) -> str:
    return (
        "---\n"
        "title: Hello\n"
        "date: 2026-11-30 10:00:00\n"
        f"cover: {base}/hotlink.png\n"
        "---\n"
        f'![a picture]({base}/hotlink.png "its title")\n'
        "\n"
        f"![]({base}/moved.png)\n"
        "\n"
        f"![wechat]({wechat_base}/mmbiz/pic.jpg)\n"
        "\n"
        f'<p><img src="{base}/other.png" alt="html"></p>\n'
        "\n"
        f'<p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==" data-src="{base}/fine.png" '
        f'srcset="{base}/fine.png 1x, {base}/other.png 2x"></p>\n'
    )


def build_site(root: Path, base: str, wechat_base: str, mode: dict) -> Path:
    site = make_site(root, **mode)
    with open(root / "_config.yml", "a", encoding="utf-8") as config:
        config.write("theme: minimal\n")
    layout = root / "themes" / "minimal" / "layout"
    layout.mkdir(parents=True)
    (layout / "post.njk").write_text(POST_LAYOUT, encoding="utf-8")
    (layout / "index.njk").write_text("<html><body>{{ page.posts.length }}</body></html>\n", encoding="utf-8")
    site.post("hello.md", post_text(base, wechat_base))
    site.post("second.md", f"---\ntitle: Second\ndate: 2026-11-30 11:00:00\n---\n![the same]({base}/hotlink.png)\n")
    return site.posts


def hexo_generate(root: Path, clean: bool = False) -> Path:
    install = install_hexo()
    # hexo-cli runs a site's own Hexo when package.json has a "hexo" table, as `hexo init` writes it.
    package = json.loads((install / "package.json").read_text(encoding="utf-8"))
    package["hexo"] = {"version": json.loads((install / "node_modules" / "hexo" / "package.json").read_text(encoding="utf-8"))["version"]}
    (root / "package.json").write_text(json.dumps(package), encoding="utf-8")
    (root / "node_modules").symlink_to(install / "node_modules", target_is_directory=True)
    hexo = str(install / "node_modules" / ".bin" / "hexo")
    for command in (["clean"] if clean else []) + ["generate"]:
        result = subprocess.run([hexo, command, "--cwd", str(root)], cwd=root, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    return root / "public"


def public_file(public: Path, url: str, url_root: str) -> Path | None:
    """The file in public/ that a site path names, or ``None`` for a URL outside the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path.startswith(url_root):
        return None
    return public / unquote(parts.path[len(url_root):])


def localize_and_generate(tmp_path: Path, servers, mode: dict) -> tuple[Path, list[tuple[Path, str]]]:
    main, other = servers
    base, wechat_base = main.url_for("").rstrip("/"), other.url_for("").rstrip("/")
    root = tmp_path / "site"
    posts = build_site(root, base, wechat_base, mode)
    result = images_runner()(str(posts), "--localize=all", "--no-cache")
    assert result.exit_code == 0, result.output
    public = hexo_generate(root)
    pages = sorted(public.rglob("*.html"))
    found = [(page, url) for page in pages for url in img_urls(page.read_text(encoding="utf-8"))]
    return public, found


@pytest.fixture
def servers():
    main = start_server()
    other = HTTPServer(host="127.0.0.2", port=0, threaded=True)
    other.start()
    serve_pictures(main)
    serve_wechat(other)
    yield main, other
    for server in (main, other):
        if server.is_running():
            server.stop()


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
def test_every_img_in_the_generated_site_names_a_file_hexo_published(tmp_path, servers, mode):
    public, found = localize_and_generate(tmp_path, servers, mode)
    url_root = mode.get("url_root", "/")
    assert not [url for _, url in found if re.match(r"(?:https?:)?//", url)]  # --localize=all left no remote picture
    local = [(page, url) for page, url in found if not url.startswith("data:")]
    assert len(local) >= 8, found  # cover, four Markdown-or-HTML pictures, lazy src and two srcset candidates
    for page, url in local:
        path = public_file(public, url, url_root)
        assert path is not None and path.is_file(), f"{page.relative_to(public)}: <img> {url} names no published file"
    hello = next(page for page in public.rglob("index.html") if "hello" in page.parts)
    html_text = hello.read_text(encoding="utf-8")
    assert 'alt="a picture"' in html_text and 'title="its title"' in html_text
    assert 'class="cover"' in html_text


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002, ANN001 - the standard library's signature
        pass


@pytest.mark.parametrize("mode", [MODES["asset-folder-asset_img"], MODES["site-images-folder-under-root"]], ids=["asset_img", "site-folder-root"])
@needs_chromium
@chromium_worker
def test_chromium_shows_every_localized_picture_with_the_picture_hosts_stopped(tmp_path, servers, mode):
    public, found = localize_and_generate(tmp_path, servers, mode)
    for server in servers:
        server.stop()  # from now on, a picture that still pointed at a host would not load
    url_root = mode.get("url_root", "/")
    # Serve public/ under the site's root, as the web server of a site with root /blog/ would.
    served = tmp_path / "served"
    target = served / url_root.strip("/") if url_root.strip("/") else served
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(public, target_is_directory=True)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with chromium_session() as chrome:
            pages = sorted({page for page, url in found if not url.startswith("data:")})
            assert pages
            shown = 0
            for page in pages:
                address = f"{origin}{url_root}{page.relative_to(public).as_posix()}"
                count = len(re.findall(r"<img\b", page.read_text(encoding="utf-8"), re.I))
                states = chromium_images(chrome, address, count)
                assert states and len(states) == count, address
                for complete, width, source in states:
                    assert complete and width > 0, f"{page.relative_to(public)}: Chromium shows no picture for {source}"
                    assert source.startswith(origin + url_root), source  # the site's own copy, not a picture host
                    shown += 1
            assert shown >= 5
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- differential: Hexo renders the same pictures, with the same alt and title, before and after ----------------------

_WORDS = ("图片", "a picture", "Figure 1", "说明 (1)", "photo-2.0", "why?", "x, y", "")
_UNSAFE_WORDS = ('say "hi"', "it's", "*bold*", "[b]")


def variant_posts(base: str, count: int, seed: int) -> dict[str, str]:
    """Posts whose pictures are written in many ways: Markdown with and without titles and angle brackets,
    alt texts a Hexo tag can and cannot carry, HTML attributes double-, single- and un-quoted, lazy
    attributes and srcset, front matter values plain and quoted."""
    import random

    chooser = random.Random(seed)
    paths = ["/hotlink.png", "/other.png", "/moved.png", "/fine.png"]
    posts = {}
    for number in range(count):
        lines = []
        for _ in range(chooser.randint(1, 4)):
            url = base + chooser.choice(paths)
            alt = chooser.choice(_WORDS + _UNSAFE_WORDS if chooser.random() < 0.3 else _WORDS)
            title = chooser.choice((None, None, "标题", "a title", "Figure (2)"))
            kind = chooser.randrange(6)
            if kind == 0:
                lines.append(f"![{alt}]({url}{' ' + repr(title).replace(chr(39), chr(34)) if title else ''})")
            elif kind == 1:
                lines.append(f"![{alt}](<{url}>)")
            elif kind == 2:
                quote = chooser.choice(('"', "'"))
                lines.append(f"<p><img src={quote}{url}{quote} alt={quote}{alt.replace(quote, '')}{quote}></p>")
            elif kind == 3:
                lines.append(f'<p><img src={url} alt="{alt.replace(chr(34), "")}"></p>')
            elif kind == 4:
                lines.append(f'<p><img data-src="{url}" src="{url}" srcset="{url} 1x, {base}/other.png 2x"></p>')
            else:
                lines.append(f"Text with ![{alt}]({url}) inside a sentence.")
        cover = base + chooser.choice(paths)
        cover_line = chooser.choice((f"cover: {cover}", f"cover: '{cover}'", f'cover: "{cover}"'))
        posts[f"post-{number:02d}.md"] = (
            f"---\ntitle: Post {number}\ndate: 2026-11-{number % 28 + 1:02d} 10:00:00\n{cover_line}\n---\n" + "\n\n".join(lines) + "\n"
        )
    return posts


def rendered_pictures(public: Path) -> dict[str, list[dict]]:
    """Page → its <img> tags' attributes, as Hexo generated them."""
    import html as html_module

    pages = {}
    for page in sorted(public.rglob("*.html")):
        tags = []
        for tag in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"), re.I):
            attributes = {}
            for name, double, single, bare in re.findall(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""", tag[4:]):
                attributes.setdefault(name.lower(), html_module.unescape(double or single or bare))
            tags.append(attributes)
        pages[page.relative_to(public).as_posix()] = tags
    return pages


@pytest.mark.parametrize("mode", [MODES["asset-folder-postAsset"], MODES["asset-folder-asset_img"], MODES["site-images-folder-under-root"]],
                         ids=["postAsset", "asset_img", "site-folder-root"])
def test_hexo_renders_every_variant_with_the_same_alt_and_title_after_localizing(tmp_path, servers, mode):
    main, _ = servers
    base = main.url_for("").rstrip("/")
    root = tmp_path / "site"
    site = make_site(root, **mode)
    with open(root / "_config.yml", "a", encoding="utf-8") as config:
        config.write("theme: minimal\n")
    layout = root / "themes" / "minimal" / "layout"
    layout.mkdir(parents=True)
    (layout / "post.njk").write_text(POST_LAYOUT, encoding="utf-8")
    (layout / "index.njk").write_text("<html><body></body></html>\n", encoding="utf-8")
    for name, text in variant_posts(base, 24, seed=len(str(mode))).items():
        site.post(name, text)
    before = rendered_pictures(hexo_generate(root))
    (root / "node_modules").unlink()
    result = images_runner()(str(site.posts), "--localize=all", "--no-cache")
    assert result.exit_code == 0, result.output
    if mode["asset_folder"]:
        # Hexo's db.json misses new asset files of a changed post; the command says so, and 'hexo clean' is the cure.
        assert "run 'hexo clean'" in result.stderr
    after = rendered_pictures(hexo_generate(root, clean=True))
    assert before.keys() == after.keys()
    url_root = mode.get("url_root", "/")
    compared = 0
    for page, tags in before.items():
        assert len(tags) == len(after[page]), page
        for old, new in zip(tags, after[page]):
            assert {k: v for k, v in old.items() if k in ("alt", "title")} == {k: v for k, v in new.items() if k in ("alt", "title")}, (page, old, new)
            for name in ("src", "data-src"):
                if name in old:
                    assert old[name].startswith(base) and name in new, (page, old, new)
                    stored = public_file(root / "public", new[name], url_root)
                    assert stored is not None and stored.is_file(), (page, new[name])
                    compared += 1
            if "srcset" in new:
                for candidate in new["srcset"].split(","):
                    stored = public_file(root / "public", candidate.split()[0], url_root)
                    assert stored is not None and stored.is_file(), (page, candidate)
    assert compared >= 40
