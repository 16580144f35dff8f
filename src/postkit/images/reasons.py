"""Why an image is not seen: the stable reason codes of ``postkit images``.

Codes never change once released, and are never reused. The hundreds group
them: 0xx the post or the reference itself, 1xx the network, 2xx the HTTP
answer, 3xx the picture, 4xx storing it with ``--localize``
(``images/localize.py``).

| code | name | severity | meaning |
|---|---|---|---|
| IMG000 | read-error | error | The post cannot be read (missing, not UTF-8, binary); its images are unknown. |
| IMG001 | missing-file | error | A local image's file does not exist (or is a folder). |
| IMG002 | outside-site | error | A local path leaves the site root (`../../etc/x.png`); it is never published, and postkit never opens it. |
| IMG003 | unsupported-scheme | error | The URL is not http, https or a path (`file:`, `ftp:`, `javascript:`, a Windows path). |
| IMG004 | malformed-url | error | The URL cannot be parsed or has no host (`http:///a.png`, a bad IPv6 literal). |
| IMG005 | unresolved-site-path | warning | A site path (`/img/a.png`) in a post that no Hexo site holds, so it cannot be checked. |
| IMG006 | credentials-in-url | error | The URL carries a user name or password; browsers block such image requests, and postkit never sends them. |
| IMG007 | image-in-code-block | warning | An `<img>` in an indented code block (4+ spaces after a blank line): Markdown prints its HTML as text. Not fetched. |
| IMG101 | dns-failure | error | The host name does not resolve. |
| IMG102 | connection-failed | error | The connection is refused, reset or closed before an answer. |
| IMG103 | tls-error | error | The TLS handshake fails (bad or expired certificate, wrong host name). |
| IMG104 | timeout | error | No answer within the connect or read timeout, after retries. |
| IMG201 | http-error | error | The answer's status is 400 or more after retries (404, 410, 403, 500...), or a 3xx without a usable `Location`. |
| IMG202 | redirect-loop | error | A redirect leads back to a URL already visited; the message shows the loop. |
| IMG203 | too-many-redirects | error | More than 10 redirects. |
| IMG204 | bad-redirect | error | A redirect to a scheme other than http or https. |
| IMG205 | rate-limited | warning | Still 429 Too Many Requests after retries that honoured `Retry-After`: unknown, not broken. |
| IMG206 | blocked-address | error | A redirect from a public address to a private, loopback or link-local one, or any request to a link-local address (169.254.0.0/16, fe80::/10) without `allow-link-local`: not followed. |
| IMG301 | not-an-image | error | A 2xx answer whose `Content-Type` is not `image/*` and whose bytes are no picture (an HTML error page), or an empty body. |
| IMG302 | hotlink-protected | error | The picture loads without a `Referer` but not with the blog's: it breaks on the blog once conversion drops `referrerpolicy`. |
| IMG303 | placeholder-image | error | The answer is a known placeholder picture (table in `images/content.py`): a spacer GIF, a "not allowed" picture. |
| IMG304 | random-picture | warning | A random-picture service (`PLACEHOLDER_HOSTS` in `core/image_urls.py`): a different picture on every view. Not fetched. |
| IMG305 | placeholder-url | error | The URL is a template's missing value (`undefined`, `…/null`). Not fetched. |
| IMG401 | too-large | error | `--localize`: the picture is larger than `localize-max-size`; not stored. |
| IMG402 | not-stored | error | `--localize`: the download failed, or its bytes are no picture postkit stores. |
| IMG403 | outside-source | error | `--localize`: the post, or the folder for its pictures, is outside the site's `source/`; nothing written. |
| IMG404 | not-rewritable | error | `--localize`: the URL spans lines (or the post changed during the run), so it cannot be replaced in place. |

Errors make ``postkit images`` exit 1; warnings do not. ``postkit rules
IMG302`` prints one reason's documentation: what it means, why it matters,
an example and the fix (:meth:`Reason.doc`).

This module imports nothing heavy: ``postkit rules`` (in the validate
package) reads it without loading the image checker.
"""

from __future__ import annotations

from dataclasses import dataclass

from postkit.core.diagnostics import Severity


@dataclass(frozen=True)
class Reason:
    """One reason code: ``code`` (``IMG201``), kebab-case ``name``, default ``severity`` and a one-line ``summary``."""

    code: str
    name: str
    severity: Severity
    summary: str

    def doc(self) -> str:
        """The reason's documentation in the rules' template: what it means, why, an example, the fix."""
        meaning, why, example, fix = DOCS[self.code]
        return (
            f"{self.name} ({self.code}): {self.summary}\n\n## What it means\n{meaning}\n\n## Why it matters\n{why}"
            f"\n\n## Example\n{example}\n\n## Fix\n{fix}\n"
        )


_E, _W = Severity.ERROR, Severity.WARNING

REASONS: dict[str, Reason] = {
    reason.name: reason
    for reason in (
        Reason("IMG000", "read-error", _E, "The post cannot be read; its images are unknown."),
        Reason("IMG001", "missing-file", _E, "A local image's file does not exist."),
        Reason("IMG002", "outside-site", _E, "A local path leaves the site root; it is never published and never opened."),
        Reason("IMG003", "unsupported-scheme", _E, "The URL is not http, https or a site path."),
        Reason("IMG004", "malformed-url", _E, "The URL cannot be parsed or has no host."),
        Reason("IMG005", "unresolved-site-path", _W, "A site path in a post outside any Hexo site cannot be checked."),
        Reason("IMG006", "credentials-in-url", _E, "The URL carries credentials; browsers block it and postkit never sends them."),
        Reason("IMG007", "image-in-code-block", _W, "An <img> in an indented code block: Markdown shows its HTML as text."),
        Reason("IMG101", "dns-failure", _E, "The host name does not resolve."),
        Reason("IMG102", "connection-failed", _E, "The connection is refused, reset or closed before an answer."),
        Reason("IMG103", "tls-error", _E, "The TLS handshake fails."),
        Reason("IMG104", "timeout", _E, "No answer within the timeout, after retries."),
        Reason("IMG201", "http-error", _E, "The HTTP status is 400 or more after retries."),
        Reason("IMG202", "redirect-loop", _E, "A redirect leads back to a URL already visited."),
        Reason("IMG203", "too-many-redirects", _E, "More redirects than allowed (10)."),
        Reason("IMG204", "bad-redirect", _E, "A redirect to a scheme other than http or https."),
        Reason("IMG205", "rate-limited", _W, "Still 429 Too Many Requests after retries: unknown, not broken."),
        Reason("IMG206", "blocked-address", _E, "A redirect into a private network, or a link-local address: not followed."),
        Reason("IMG301", "not-an-image", _E, "A 2xx answer that is not a picture (an HTML error page)."),
        Reason("IMG302", "hotlink-protected", _E, "Loads without a Referer but not with the blog's: hot-link protection."),
        Reason("IMG303", "placeholder-image", _E, "The answer is a known placeholder picture."),
        Reason("IMG304", "random-picture", _W, "A random-picture service: a different picture on every view."),
        Reason("IMG305", "placeholder-url", _E, "The URL is a template's missing value (undefined, null)."),
        Reason("IMG401", "too-large", _E, "The picture is larger than localize-max-size; not stored."),
        Reason("IMG402", "not-stored", _E, "The download did not give a picture postkit stores (an error, or bytes that are no picture)."),
        Reason("IMG403", "outside-source", _E, "The post or the folder for its pictures is outside the site's source folder; nothing written."),
        Reason("IMG404", "not-rewritable", _E, "The reference cannot be rewritten in place (it spans lines, or the post changed)."),
    )
}
BY_CODE: dict[str, Reason] = {reason.code: reason for reason in REASONS.values()}

# code → (what it means, why it matters, example, fix); Markdown, shown by ``postkit rules CODE``.
DOCS: dict[str, tuple[str, str, str, str]] = {
    "IMG000": (
        "The post cannot be read: it is missing, not UTF-8, or binary. Its images are unknown.",
        "postkit cannot say whether its readers see its pictures.",
        "A post saved as GBK: `source/_posts/old.md` with bytes that are not UTF-8.",
        "Save the post as UTF-8 (`postkit validate` reports the same file as PK001).",
    ),
    "IMG001": (
        "A local image's file does not exist, or the path names a folder.",
        "Hexo publishes the post with a link to nothing: readers see the alt text or a broken-image icon.",
        "```markdown\n![chart](/img/chart.png)\n```\nwith no `source/img/chart.png`.",
        "Add the file under `source/` (or the post's asset folder), or correct the path.",
    ),
    "IMG002": (
        "A local path leaves the site root, by `../` or through a symbolic link that points outside it.",
        "Hexo never publishes a file outside the site, so readers never see it; and a checker must not read "
        "outside the project it checks. postkit resolves links one step at a time and never touches the outside path.",
        "```markdown\n![x](../../../etc/x.png)\n```\nor `source/img/shared -> /home/me/pictures` with `![x](/img/shared/a.png)`.",
        "Copy the picture into `source/` and use a path inside the site.",
    ),
    "IMG003": (
        "The URL's scheme is not http or https, and it is not a path: `file:`, `ftp:`, `javascript:`, a Windows path.",
        "Browsers load images over http(s) only; a `file:` or `C:\\` path exists on the author's machine only.",
        "```markdown\n![shot](file:///C:/Users/me/Desktop/shot.png)\n```",
        "Copy the picture into the site and link it by a site path.",
    ),
    "IMG004": (
        "The URL cannot be parsed, or an http(s) URL has no host (`http:///a.png`, a bad IPv6 literal, a bad port).",
        "No browser can request it.",
        "```markdown\n![a](http:///a.png)\n```",
        "Correct the URL.",
    ),
    "IMG005": (
        "A site path (`/img/a.png`) in a post that no Hexo site (`_config.yml`) holds.",
        "postkit cannot know which folder the path is served from, so it cannot check it. A warning, not an error.",
        "`postkit images notes/post.md` outside a Hexo site, with `![a](/img/a.png)`.",
        "Run postkit inside the site, or use a relative path.",
    ),
    "IMG006": (
        "The URL carries a user name or password (`https://user:pass@host/a.png`).",
        "Chromium and Firefox block subresource requests with credentials in the URL, and the credentials are published.",
        "```markdown\n![a](https://me:secret@img.example.com/a.png)\n```",
        "Remove the credentials; host the picture where it needs none.",
    ),
    "IMG007": (
        "An `<img>` tag sits in an indented code block (4 or more spaces after a blank line).",
        "Markdown prints the tag as text instead of showing the picture. A warning: it may be meant as an example.",
        "```markdown\nSome text.\n\n    <img src=\"a.png\">\n```",
        "Remove the indentation, or the blank line before it.",
    ),
    "IMG101": (
        "The image's host name does not resolve (DNS).",
        "The host is gone or misspelt: no reader can load the picture. When no host at all can be reached, "
        "postkit instead stops with one message that the network is unavailable (exit 2).",
        "```markdown\n![a](https://img.exmaple.com/a.png)\n```",
        "Correct the host, or mirror the picture into `source/`.",
    ),
    "IMG102": (
        "The connection is refused, reset or closed before an HTTP answer.",
        "Nothing serves the picture at that address. Once a host fails to connect, its other URLs are settled "
        "with the same reason without new connections.",
        "An image on a server that was switched off: `connection refused`.",
        "Mirror the picture into `source/`, or link a copy that is served.",
    ),
    "IMG103": (
        "The TLS handshake fails: an expired or self-signed certificate, or one for another host.",
        "Browsers refuse the picture just as postkit does.",
        "```markdown\n![a](https://expired.example.com/a.png)\n```",
        "Use a host with a valid certificate, or mirror the picture.",
    ),
    "IMG104": (
        "No complete answer in time: the connect or read time-out after retries, or the URL's overall "
        "deadline (default 30 s, `images.deadline`), which also stops servers that drip their headers or body.",
        "A reader waits for the same server. A browser would wait longer than postkit; this is where the two "
        "differ by design (README, \"What broken means\").",
        "A host that accepts the connection and never answers.",
        "Check the host by hand; raise `--timeout` or `images.deadline` for a slow but working host.",
    ),
    "IMG201": (
        "The final answer's status is 400 or more after retries (404, 410, 403, 500...), or a 3xx without a usable "
        "`Location`. postkit asks with GET (a 4 KB range), as a browser does, never HEAD, which many servers answer carelessly.",
        "The browser gets the same status and shows no picture. (When a 404 carries a picture, Chromium shows that "
        "picture, usually the host's own \"not found\" one; postkit reports the 404.)",
        "```markdown\n![a](https://img.example.com/deleted.png)\n```\nanswered `404 Not Found`.",
        "Link the picture's new address, or mirror it into `source/`.",
    ),
    "IMG202": (
        "A redirect leads back to a URL already visited; the message shows the loop.",
        "Browsers give up on a loop and show no picture.",
        "`/a.png` → `/b.png` → `/a.png`.",
        "Link the picture's final address.",
    ),
    "IMG203": (
        "More than 10 redirects (the checker's `max_redirects`).",
        "Browsers stop after 20 and may stop sooner; such chains are usually broken.",
        "A chain of 11 redirects.",
        "Link the picture's final address.",
    ),
    "IMG204": (
        "A redirect to a scheme other than http or https, or to an unreadable `Location`.",
        "Browsers load images over http(s) only.",
        "`302 Found` with `Location: ftp://files.example.com/a.png`.",
        "Link a working http(s) address.",
    ),
    "IMG205": (
        "Still `429 Too Many Requests` after retries that honoured `Retry-After` (up to 30 s).",
        "The host asked to slow down; whether the picture loads is unknown. A warning, not a broken image.",
        "A host that answers every request with 429 and `Retry-After: 120`.",
        "Run again later; lower `--per-host`.",
    ),
    "IMG206": (
        "A redirect moved from a public address to a private, loopback or link-local one, or a URL (or redirect) "
        "reached a link-local address (169.254.0.0/16, fe80::/10) while `allow-link-local` is off. postkit did not "
        "follow it. Direct URLs to loopback and private hosts are still checked.",
        "A link checker that runs in CI must not be steered into the CI machine's network: 169.254.169.254 is where "
        "cloud metadata services hand out credentials. A reader's browser would also be kept out of a private "
        "network by its Private Network Access rules.",
        "An image URL on a public host answering `302 Found` with `Location: http://169.254.169.254/latest/meta-data/`.",
        "Remove or replace the image. If the blog really serves pictures from a link-local address, set "
        "`allow-link-local = true` in `[tool.postkit.images]`.",
    ),
    "IMG301": (
        "A 2xx answer that is not a picture: its bytes are no image format a browser decodes (the magic numbers "
        "decide, as a browser sniffs), its `Content-Type` is no `image/*` and the bytes do not sniff as one, or the "
        "body is empty. SVG needs `image/svg+xml`: browsers never sniff it.",
        "Browsers show a broken-image icon for an HTML error page served with 200.",
        "A host that answers a deleted picture with `200 OK` and `Content-Type: text/html`.",
        "Link the picture's real address, or mirror it into `source/`.",
    ),
    "IMG302": (
        "The picture loads without a `Referer` but not with the blog's: the host refuses foreign Referers "
        "(hot-link protection), with an error, an HTML page or a placeholder picture.",
        "Readers send the blog's origin as `Referer` (the default referrer policy, strict-origin-when-cross-origin), "
        "so they see no picture, or a \"not allowed\" one, although the author, testing the URL alone, sees it.",
        "```html\n<img src=\"https://mmbiz.qpic.cn/a.png\">\n```\non a blog whose theme sets no referrer policy.",
        "Store the picture with the blog: `postkit images --localize` downloads it and points the post at the copy. "
        "Or add `<meta name=\"referrer\" content=\"no-referrer\">` to the theme's `<head>` (and "
        "`referrer-policy = \"no-referrer\"` to `[tool.postkit.images]`); a raw-HTML `<img referrerpolicy=\"no-referrer\">` "
        "works too, but `postkit convert` turns such images into Markdown, which cannot carry the attribute.",
    ),
    "IMG303": (
        "The answer is a known placeholder picture (table in `images/content.py`, extendable as `placeholder-pictures`): "
        "a 1x1 spacer GIF, a \"not allowed\" picture.",
        "Readers see a blank or a refusal instead of the picture.",
        "A lazy-loading plugin's spacer GIF left in `src` while the real picture waits in `data-src`.",
        "Use the real picture's URL.",
    ),
    "IMG304": (
        "A random-picture service (`PLACEHOLDER_HOSTS` in `core/image_urls.py`). Not fetched.",
        "Every view shows a different picture: the post's picture is not its own. A warning.",
        "```markdown\n![cover](https://picsum.photos/800/400)\n```",
        "Pick one picture and put it in `source/`.",
    ),
    "IMG305": (
        "The URL is a template's missing value (`undefined`, `null`, `…/None`). Not fetched.",
        "A theme or converter filled in a value that did not exist; readers get a 404.",
        "```markdown\n![cover](https://cdn.example.com/undefined)\n```",
        "Fill in the real picture, or remove the reference.",
    ),
    "IMG401": (
        "`postkit images --localize` chose the picture, but its body is larger than `localize-max-size` "
        "(default 20 MB); the download stops there and nothing is stored.",
        "The reference still points at the remote host, so the reason it was chosen (hot-link protection, "
        "or `--localize=all`) still holds.",
        "A 35 MB panorama on a hot-link-protected host, with the default size cap.",
        "Raise `localize-max-size` in `[tool.postkit.images]` (`localize-max-size = \"50MB\"`), or store a smaller copy in `source/` by hand.",
    ),
    "IMG402": (
        "`postkit images --localize` chose the picture, but the download gave no picture postkit stores: an error "
        "(a status of 400 or more, a time-out, a redirect it does not follow), or bytes that do not sniff as PNG, "
        "JPEG, GIF, WebP, BMP, ICO, AVIF or HEIF (SVG is never stored: it can carry scripts).",
        "The check saw a picture a moment before, so the host changed its answer, or serves different bytes to a "
        "second request; storing what it sent would put a broken file in the site.",
        "A host that answers the check's request with the picture and the download with an HTML \"access denied\" page.",
        "Run again later; if it persists, download the picture in a browser and put it in `source/` by hand.",
    ),
    "IMG403": (
        "`postkit images --localize` writes only inside the Hexo site's `source/` folder; the post, or the folder "
        "its pictures would go to (an asset folder that is a symbolic link leading out), is outside it. Nothing is written for it.",
        "Hexo publishes only what is under `source/`; a file written elsewhere would not be in the site, and "
        "postkit never writes outside the site it was asked to change.",
        "`source/_posts/hello` is a symbolic link to `/tmp/pictures`.",
        "Move the post (or its asset folder) into `source/`, or replace the symbolic link by a folder.",
    ),
    "IMG404": (
        "`postkit images --localize` downloaded the picture but cannot replace the URL in the post: the URL as "
        "written spans lines, or the post changed during the run. The reference keeps its URL.",
        "A rewrite that is not byte-exact could change other text in the post; postkit leaves the post as it is.",
        "```html\n<img src=\"https://wx1.sinaimg.cn/large/\nabc.jpg\">\n```",
        "Put the URL on one line (or let the edit finish), then run `postkit images --localize` again.",
    ),
}

# Reasons where the server did answer, so the Referer may be what it refused.
ANSWERED = frozenset({"http-error", "not-an-image", "placeholder-image"})


def sarif_rules() -> list[tuple[str, str, Severity, str]]:
    """``(code, name, default severity, documentation)`` for ``report.sarif``'s rule list."""
    return [(r.code, r.name, r.severity, f"{r.name}: {r.summary}") for r in REASONS.values()]
