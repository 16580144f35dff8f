"""The codes ``postkit import`` reports, documented for ``postkit rules``."""

from __future__ import annotations

from postkit.core.codes import Code

_SKIP = "That feed (or item) was not imported; the other feeds and items went on."

CODES = (
    Code(
        "IMP001", "not-well-formed", "import", "error", "the feed is not well-formed XML or JSON",
        "The parser stopped at the line and column given (expat's for XML, the decoder's for JSON).",
        _SKIP, "```\nfeed.xml:12:7: IMP001 not well-formed XML: mismatched tag\n```",
        "Fix the feed at its source, or ask its publisher to.",
    ),
    Code(
        "IMP002", "wrong-encoding", "import", "error", "the bytes do not match the declared encoding",
        "GBK bytes under `encoding=\"UTF-8\"`, or UTF-8 bytes under `encoding=\"GBK\"`; the position is the first byte that does not fit.",
        "Read the declared way, the titles and bodies would be mojibake: postkit refuses rather than import garbage.",
        "```\nfeed.xml:3:18: IMP002 declared as utf-8 in the XML declaration, but byte 0xd6 is not utf-8\n```",
        "Fix the feed's declaration (or the HTTP charset) at its source.",
    ),
    Code(
        "IMP003", "not-a-feed", "import", "error", "the document is not a feed",
        "An HTML page, a picture or other binary data, XML with another root element, or JSON without a jsonfeed.org `version`.",
        "The feed's address has often moved, and the old one now serves a page.",
        "```\nhttps://example.org/feed:1:1: IMP003 not a feed: an HTML page (the feed's address may have moved)\n```",
        "Find the feed's current address (the site's `<link rel=\"alternate\">`).",
    ),
    Code(
        "IMP004", "cannot-fetch", "import", "error", "the feed cannot be fetched or read",
        "A network error, the feed's `--timeout` passed (connect, headers, body, redirects and retries together), an HTTP error status, "
        "a `Retry-After` longer than 30 s, a URL that is not valid, an address postkit refuses (a link-local address such as "
        "169.254.169.254, or a redirect from a public address to a private, loopback or link-local one), or a file that cannot be read.",
        _SKIP, "```\nhttps://example.org/feed: IMP004 HTTP 503 Service Unavailable\n```", "Run the import again later; check the URL.",
    ),
    Code(
        "IMP005", "too-large", "import", "error", "the feed is larger than --max-bytes",
        "The body was refused while it streamed in, once it passed the limit (20 MiB by default).",
        "A feed that large is usually a mistake or an attack; reading it whole would cost memory.",
        "```\nhttps://example.org/feed: IMP005 the feed is more than the 20971520 bytes allowed (--max-bytes)\n```",
        "Raise `--max-bytes` (or `max-bytes` in `[tool.postkit.import]`) if the feed is really that large.",
    ),
    Code(
        "IMP006", "item-incomplete", "import", "error", "an item with no title or no link",
        "The item at the line given has no title or no link, so it can neither be named nor matched on the next run.",
        "Importing it would give a post with no title, or one imported again on every run.", 
        "```\nfeed.xml:40:5: IMP006 item 3 has no title; skipped\n```", "Ask the feed's publisher to fill it in; the other items were imported.",
    ),
    Code(
        "IMP007", "not-postkits", "import --update", "error", "the post to update was not written by postkit",
        "An item is newer than a post that matches it, but postkit's record (`.postkit-cache/import.json`) does not list that post as its own.",
        "postkit never rewrites a file it did not write: it may hold your edits.",
        "```\nfeed.xml:40:5: IMP007 item 3 is newer than source/_posts/a.md, which postkit did not write; not updated\n```",
        "Update the post by hand, or delete it and import the item again.",
    ),
    Code(
        "IMP008", "cannot-write", "import", "error", "an item's post cannot be written or updated",
        "A disk error, a folder that cannot be written, or an existing post that cannot be read.",
        _SKIP, "```\nfeed.xml:40:5: IMP008 item 3 not written: Permission denied\n```", "Fix the folder's permissions or free space, then run again.",
    ),
    Code(
        "IMP009", "copy-not-written", "import --traditional", "error", "the Traditional copy cannot be made",
        "The copy would replace a file postkit did not write, or the conversion failed.",
        "The post was imported; only its copy is missing.",
        "```\nfeed.xml:40:5: IMP009 item 3: the copy a.zh-Hant.md exists and was not written by postkit\n```",
        "Move the existing file away, or run `postkit traditional` on the post.",
    ),
)
