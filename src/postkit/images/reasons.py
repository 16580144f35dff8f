"""Why an image is not seen: the stable reason codes of ``postkit images``.

Codes never change once released, and are never reused. The hundreds group
them: 0xx the post or the reference itself, 1xx the network, 2xx the HTTP
answer, 3xx the picture.

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
| IMG203 | too-many-redirects | error | More than 10 redirects (configurable). |
| IMG204 | bad-redirect | error | A redirect to a scheme other than http or https. |
| IMG205 | rate-limited | warning | Still 429 Too Many Requests after retries that honoured `Retry-After`: unknown, not broken. |
| IMG301 | not-an-image | error | A 2xx answer whose `Content-Type` is not `image/*` and whose bytes are no picture (an HTML error page), or an empty body. |
| IMG302 | hotlink-protected | error | The picture loads without a `Referer` but not with the blog's: it breaks on the blog once conversion drops `referrerpolicy`. |
| IMG303 | placeholder-image | error | The answer is a known placeholder picture (table in `images/content.py`): a spacer GIF, a "not allowed" picture. |
| IMG304 | random-picture | warning | A random-picture service (`PLACEHOLDER_HOSTS` in `core/image_urls.py`): a different picture on every view. Not fetched. |
| IMG305 | placeholder-url | error | The URL is a template's missing value (`undefined`, `…/null`). Not fetched. |

Errors make ``postkit images`` exit 1; warnings do not.
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
        Reason("IMG301", "not-an-image", _E, "A 2xx answer that is not a picture (an HTML error page)."),
        Reason("IMG302", "hotlink-protected", _E, "Loads without a Referer but not with the blog's: hot-link protection."),
        Reason("IMG303", "placeholder-image", _E, "The answer is a known placeholder picture."),
        Reason("IMG304", "random-picture", _W, "A random-picture service: a different picture on every view."),
        Reason("IMG305", "placeholder-url", _E, "The URL is a template's missing value (undefined, null)."),
    )
}
BY_CODE: dict[str, Reason] = {reason.code: reason for reason in REASONS.values()}

# Reasons where the server did answer, so the Referer may be what it refused.
ANSWERED = frozenset({"http-error", "not-an-image", "placeholder-image"})


def sarif_rules() -> list[tuple[str, str, Severity, str]]:
    """``(code, name, default severity, documentation)`` for ``report.sarif``'s rule list."""
    return [(r.code, r.name, r.severity, f"{r.name}: {r.summary}") for r in REASONS.values()]
