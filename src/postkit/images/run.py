"""Check every image of a set of posts: collect, resolve local files, fetch remote URLs, report.

Three steps, so the command can show progress between them:

1. :func:`plan` reads the posts, collects their images and settles what can
   be settled without the network: local files, URL shapes, random-picture
   services. It lists each unique remote URL with the Referers its
   references send.
2. :func:`fetch` checks those URLs (skipped with ``offline``), through the
   cache.
3. :func:`report` turns both into diagnostics, one per reference, so the
   report lists every post and line that uses a broken URL. It is pure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlsplit

from postkit.core.diagnostics import Diagnostic
from postkit.core.document import MAX_POST_SIZE, ReadError, read_document
from postkit.images import collect as kinds
from postkit.images.cache import DEFAULT_TTL, CACHE_FOLDER, parse_duration
from postkit.images.collect import ImageRef, collect
from postkit.images.content import HOTLINK_PLACEHOLDER_HOSTS, PLACEHOLDER_PICTURES, PlaceholderPicture
from postkit.images.local import SiteLayout, check as check_local, read_site_config
from postkit.images.reasons import REASONS
from postkit.images.referrer import effective_policy, referrer_for, upgrade_for_page
from postkit.core.image_urls import DEFAULT_IMAGE_FIELDS
from postkit.core.image_urls import PLACEHOLDER_HOSTS, placeholder

# Lines longer than this are not echoed under a diagnostic: RSS bodies are
# often one line of many kilobytes of HTML.
MAX_SOURCE_LINE = 300


@dataclass(frozen=True, order=True)
class ImageDiagnostic(Diagnostic):
    """A :class:`Diagnostic` that also names the image's ``url``, ``source_kind`` and what happened (``detail``).

    The extra fields let reports group every place that uses one URL.
    """

    url: str = field(default="", compare=False)
    source_kind: str = field(default="", compare=False)
    detail: str = field(default="", compare=False)


@dataclass(frozen=True)
class ImageSettings:
    """Everything one run needs besides the paths.

    ``site_url`` is the blog's URL (the Referer readers send), ``site_policy``
    the referrer policy its theme declares. ``cache_folder`` is ``None`` when
    the cache is off; ``cache_ttl`` is in seconds. ``check`` holds the network
    settings (``remote.CheckOptions``; ``None`` means the defaults).
    """

    layout: SiteLayout
    image_fields: tuple[str, ...] = DEFAULT_IMAGE_FIELDS
    site_url: str | None = None
    site_policy: str | None = None
    offline: bool = False
    cache_folder: Path | None = None
    cache_ttl: float = DEFAULT_TTL
    check: Any = None
    max_post_size: int | None = None


def settings_for(
    config: Any,
    targets: Sequence[str],
    *,
    offline: bool = False,
    no_cache: bool = False,
    timeout: float | None = None,
    connect_timeout: float | None = None,
    deadline: float | None = None,
    concurrency: int | None = None,
    per_host: int | None = None,
    user_agent: str | None = None,
) -> ImageSettings:
    """Merge the command line over ``config`` (a ``postkit.core.config.Config``) over the defaults.

    Raises:
        ValueError: a config value that cannot be used (the message names the key).
    """
    from postkit.images.remote import CheckOptions

    defaults = CheckOptions()
    if config.site_root is not None:
        layout = SiteLayout.for_site(config.site_root, read_site_config(config.site_root))
        cache_base = Path(config.site_root)
    else:
        layout = SiteLayout.without_site(_common_folder(targets))
        cache_base = Path(config.source).parent if config.source is not None else Path.cwd()
    section = config.section("images")
    try:
        ttl = parse_duration(section.get("cache-ttl", DEFAULT_TTL))
    except ValueError as error:
        raise ValueError(f"[tool.postkit.images] cache-ttl: {error}") from None
    placeholders = list(PLACEHOLDER_PICTURES)
    for item in section.get("placeholder-pictures", []):
        hosts = tuple(host.strip().lower() for host in item.get("hosts", []))
        placeholders.append(PlaceholderPicture(int(item["size"]), item["sha256"].lower(), item["description"], hosts))
    hotlink_hosts = dict(HOTLINK_PLACEHOLDER_HOSTS)
    for host in section.get("hotlink-placeholder-hosts", []):
        hotlink_hosts.setdefault(host.strip().lower(), "answers a foreign Referer with a different picture (postkit config)")
    check = CheckOptions(
        connect_timeout=float(connect_timeout or section.get("connect-timeout", defaults.connect_timeout)),
        read_timeout=float(timeout or section.get("timeout", defaults.read_timeout)),
        deadline=float(deadline or section.get("deadline", defaults.deadline)),
        allow_link_local=bool(section.get("allow-link-local", defaults.allow_link_local)),
        concurrency=int(concurrency or section.get("concurrency", defaults.concurrency)),
        per_host=int(per_host or section.get("per-host", defaults.per_host)),
        user_agent=user_agent or section.get("user-agent", defaults.user_agent),
        placeholders=tuple(placeholders),
        hotlink_hosts=hotlink_hosts,
    )
    return ImageSettings(
        layout=layout,
        image_fields=tuple(config.get("image-fields", DEFAULT_IMAGE_FIELDS)),
        site_url=section.get("url") or config.site_url,
        site_policy=section.get("referrer-policy"),
        offline=offline,
        cache_folder=None if no_cache else cache_base / CACHE_FOLDER,
        cache_ttl=ttl,
        check=check,
        max_post_size=config.max_post_size,
    )


def _common_folder(targets: Sequence[str]) -> Path:
    folders = [os.path.realpath(t if os.path.isdir(t) else os.path.dirname(t) or ".") for t in targets] or [os.getcwd()]
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives
        return Path(folders[0])


@dataclass(frozen=True)
class FileImages:
    """What one post gave: its references, or why it could not be read.

    ``error`` is the read error's message, at ``error_line``/``error_col``
    (plain values rather than the exception, so that results pickle intact
    from worker processes). ``lines`` holds the text of the lines that
    references sit on (short lines only), for the ``full`` format.
    """

    path: str
    refs: tuple[ImageRef, ...] = ()
    error: str | None = None
    error_line: int = 1
    error_col: int = 1
    lines: Mapping[int, str] = field(default_factory=dict)


def collect_file(path: str, image_fields: tuple[str, ...] = DEFAULT_IMAGE_FIELDS, max_size: int | None = None) -> FileImages:
    """Read one post and collect its images; a file that cannot be read (or is over ``max_size`` bytes) gives ``error`` instead."""
    try:
        document = read_document(path, max_size or MAX_POST_SIZE)
    except ReadError as error:
        return FileImages(path, error=error.message, error_line=error.line, error_col=error.col)
    refs = tuple(collect(document, image_fields))
    lines = {}
    for number in {ref.line for ref in refs}:
        text = document.line(number)
        if len(text) <= MAX_SOURCE_LINE:
            lines[number] = text
    return FileImages(path, refs, lines=lines)


@dataclass(frozen=True)
class Settled:
    """A reference whose verdict is known before any request: ``reason`` ``None`` means it is fine."""

    ref: ImageRef
    reason: str | None
    detail: str = ""


@dataclass(frozen=True)
class Pending:
    """A reference that waits for the network: the ``url`` a browser requests and the ``referrer`` it sends.

    ``upgraded`` is true when an https blog turns the written ``http:`` URL
    into ``https:`` (``referrer.upgrade_for_page``).
    """

    ref: ImageRef
    url: str
    referrer: str | None
    upgraded: bool = False


@dataclass
class ImagePlan:
    """The outcome of :func:`plan`.

    ``wanted`` maps each unique remote URL to the Referers its references
    send (``None``: no Referer), in first-seen order.
    """

    files: list[FileImages]
    settled: list[Settled]
    pending: list[Pending]
    wanted: dict[str, set[str | None]]

    @property
    def references(self) -> int:
        """How many image references the posts hold."""
        return sum(len(f.refs) for f in self.files)


def classify_url(url: str) -> tuple[str, str]:
    """``(kind, detail)``: ``remote``, ``local`` or a reason name, for a URL as written; pure (see :func:`_classify`)."""
    kind, detail, _ = _classify(url)
    return kind, detail


def _classify(url: str) -> tuple[str, str, str]:
    """``(kind, detail, host)`` for a URL as written: one parse serves the whole plan.

    ``host`` is the lower-case host name of a remote URL (else ``""``).
    ``//host/x`` is remote. A scheme other than http(s) is
    ``unsupported-scheme``; an http(s) URL without a host ``malformed-url``;
    one with a user name or password ``credentials-in-url`` (Chromium and
    Firefox block such subresource requests, and postkit never sends them).
    """
    value = url.strip()
    if value.startswith("//"):
        value = "https:" + value
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as error:
        return "malformed-url", f"cannot be parsed: {error}", ""
    scheme = parts.scheme.lower()
    if not scheme:
        return "local", "", ""
    if len(scheme) == 1 and value[1:3] in (":\\", ":/"):
        return "unsupported-scheme", "a Windows file path on the author's machine; readers cannot load it", ""
    if scheme == "file":
        return "unsupported-scheme", "a file: URL on the author's machine; readers cannot load it", ""
    if scheme not in ("http", "https"):
        return "unsupported-scheme", f"the {scheme}: scheme; browsers load images over http(s) only", ""
    if not parts.hostname:
        return "malformed-url", "an http(s) URL without a host", ""
    if parts.username is not None or parts.password is not None:
        return "credentials-in-url", "the URL carries a user name or password; browsers block it, and postkit never sends it", ""
    del port
    return "remote", "", parts.hostname.lower()


_IN_CODE = (
    "this <img> sits in an indented code block (a line indented 4 or more spaces after a blank line), "
    "so Markdown prints its HTML as text instead of showing the picture; not fetched. "
    "Fix: remove the indentation, or the blank line before it"
)


def plan(paths: Sequence[str], settings: ImageSettings, jobs: int | None = None) -> ImagePlan:
    """Read and collect every post, settle local and malformed references, and list the remote URLs."""
    from postkit.images.remote import normalize
    from postkit.core.parallel import map_files

    files = list(map_files(partial(collect_file, image_fields=settings.image_fields, max_size=settings.max_post_size), list(paths), jobs=jobs))
    settled: list[Settled] = []
    pending: list[Pending] = []
    wanted: dict[str, set[str | None]] = {}
    for item in files:
        for ref in item.refs:
            if ref.source_kind == kinds.IMG_IN_CODE:
                settled.append(Settled(ref, "image-in-code-block", _IN_CODE))
                continue
            kind, detail, host = _classify(ref.url)
            if kind not in ("remote", "local"):
                settled.append(Settled(ref, kind, detail))
                continue
            url = normalize(ref.url, settings.site_url) if kind == "remote" else ref.url
            if host in PLACEHOLDER_HOSTS:
                reason = f"{PLACEHOLDER_HOSTS[host]} ({host}): a different picture on every view; not fetched"
                settled.append(Settled(ref, "random-picture", reason))
                continue
            word = placeholder(ref.url)
            if word is not None:
                settled.append(Settled(ref, "placeholder-url", f"{word}; not fetched"))
                continue
            if kind == "local":
                tag = ref.attribute if ref.source_kind == kinds.HEXO_TAG else None
                verdict = check_local(ref.url, item.path, settings.layout, tag)
                settled.append(Settled(ref, verdict.reason, verdict.detail))
                continue
            requested = upgrade_for_page(url, settings.site_url)
            policy = effective_policy(ref.referrer_policy, settings.site_policy)
            referrer = referrer_for(requested, settings.site_url, policy)
            pending.append(Pending(ref, requested, referrer, requested != url))
            wanted.setdefault(requested, set()).add(referrer)
    return ImagePlan(files, settled, pending, wanted)


@dataclass
class FetchStats:
    """What the network step did.

    ``requests`` sent (one GET of a bounded prefix per URL and Referer, plus
    retries and redirects), ``cache_hits`` served from the cache.
    ``network_down`` is set when no remote host could be reached at all
    (see :func:`network_unavailable`).
    """

    requests: int = 0
    cache_hits: int = 0
    cache_warning: str | None = None
    network_down: bool = False


def network_unavailable(results: Mapping[str, Mapping[str | None, Any]]) -> bool:
    """True when the run could reach no remote host at all; pure.

    That is: at least two hosts were asked, and every probe of every URL
    failed at DNS or connect (``ProbeResult.unreachable == "connect"``).
    One dead host is a dead host and is reported per URL; every host dead at
    once is the machine being offline, and the run says so instead of
    calling every image broken.
    """
    hosts = set()
    for url, probes in results.items():
        if not probes or any(probe.from_cache or probe.unreachable != "connect" for probe in probes.values()):
            return False
        hosts.add(urlsplit(url).netloc.lower())
    return len(hosts) >= 2


def fetch(
    image_plan: ImagePlan,
    settings: ImageSettings,
    progress: Callable[[str], None] | None = None,
    *,
    network_backend: Any = None,
    resolve: Any = None,
    keep_bodies: bool = False,
) -> tuple[dict[str, dict[str | None, Any]], FetchStats]:
    """Check the plan's remote URLs (nothing with ``offline``); URL → Referer → ``ProbeResult``.

    ``network_backend`` and ``resolve`` replace the connections and the name
    resolution (see ``remote.RemoteChecker``); tests use them. ``keep_bodies``
    keeps the small pictures' bytes in the results, for ``--localize``.
    """
    stats = FetchStats()
    if settings.offline or not image_plan.wanted:
        return {}, stats
    from postkit.images.cache import ProbeCache
    from postkit.images.remote import CheckOptions, RemoteChecker

    cache = ProbeCache(settings.cache_folder, settings.cache_ttl) if settings.cache_folder is not None else None
    try:
        checker = RemoteChecker(
            settings.check or CheckOptions(), cache, progress, network_backend=network_backend, resolve=resolve, keep_bodies=keep_bodies,
        )
        results = checker.check(image_plan.wanted)
    finally:
        if cache is not None:
            cache.close()
    stats.requests, stats.cache_hits = checker.requests, checker.cache_hits
    stats.network_down = network_unavailable(results)
    stats.cache_warning = cache.warning if cache is not None else None
    return results, stats


_WHERE = {
    kinds.FRONT_MATTER: "{attribute}",
    kinds.PHOTOS: "photos",
    kinds.MARKDOWN: "Markdown image",
    kinds.MARKDOWN_REFERENCE: "Markdown image reference",
    kinds.IMG_SRC: "<img src>",
    kinds.IMG_LAZY: "<img {attribute}>",
    kinds.IMG_SRCSET: "<img {attribute}> candidate",
    kinds.PICTURE_SOURCE: "<source {attribute}>",
    kinds.HEXO_TAG: "{{% {attribute} %}}",
    kinds.IMG_IN_CODE: "<img {attribute}>",
}


def hint(reason: str, ref: ImageRef, detail: str = "") -> str:
    """The fix a diagnostic suggests, as a sentence ("" when there is none)."""
    if reason == "http-error" and detail.startswith("403"):
        return "Some hosts refuse clients that are not browsers: if the picture shows in a browser, try --user-agent."
    if reason == "hotlink-protected":
        fixes = []
        if ref.source_kind in (kinds.IMG_SRC, kinds.IMG_LAZY, kinds.IMG_SRCSET, kinds.PICTURE_SOURCE):
            fixes.append('keep referrerpolicy="no-referrer" on this <img>')
        fixes.append(
            'add <meta name="referrer" content="no-referrer"> to the theme\'s <head> '
            '(and referrer-policy = "no-referrer" to postkit\'s config)'
        )
        fixes.append("or store the picture in the site with postkit images --localize")
        return "Fix: " + ", ".join(fixes) + "."
    if reason == "rate-limited":
        return "The host asked postkit to slow down; run again later."
    if reason in ("random-picture", "placeholder-url", "placeholder-image"):
        return "Use a real picture of the post."
    if reason == "outside-site":
        return "Copy the picture into source/ and use a path inside the site."
    return ""


def describe(ref: ImageRef, reason: str, detail: str) -> str:
    """The diagnostic message: where the image is written, its URL, what happened, and the fix."""
    where = _WHERE.get(ref.source_kind, ref.source_kind).format(attribute=ref.attribute or "")
    message = f"{where} {ref.url}: {detail}" if detail else f"{where} {ref.url}"
    extra = hint(reason, ref, detail)
    return f"{message}. {extra}" if extra else message


def _diagnostic(path: str, ref: ImageRef, reason: str, detail: str) -> ImageDiagnostic:
    info = REASONS[reason]
    return ImageDiagnostic(
        path, ref.line, ref.col, info.code, info.name, info.severity, describe(ref, reason, detail),
        None, ref.line if ref.end_col else None, ref.end_col, url=ref.url, source_kind=ref.source_kind, detail=detail,
    )


@dataclass
class ImagesRun:
    """Everything ``postkit images`` found.

    ``diagnostics`` are sorted by path and position; ``source_lines`` maps
    ``(path, line)`` to the line's text for the ``full`` format.
    """

    diagnostics: list[ImageDiagnostic]
    files: int
    references: int
    remote_urls: int
    stats: FetchStats = field(default_factory=FetchStats)
    source_lines: dict[tuple[str, int], str] = field(default_factory=dict)


def report(
    image_plan: ImagePlan,
    results: Mapping[str, Mapping[str | None, Any]],
    settings: ImageSettings,
    network_down: bool = False,
) -> ImagesRun:
    """One diagnostic per reference that a reader would not see; pure.

    With ``offline`` (no results), remote references are not judged; nor
    when ``network_down``: every host failing at once says nothing about
    the images.
    """
    from postkit.images.remote import verdict

    hotlink_hosts = settings.check.hotlink_hosts if settings.check is not None else HOTLINK_PLACEHOLDER_HOSTS
    found: list[ImageDiagnostic] = []
    for item in image_plan.files:
        if item.error is not None:
            info = REASONS["read-error"]
            found.append(ImageDiagnostic(
                item.path, item.error_line, item.error_col, info.code, info.name, info.severity,
                f"cannot read the post, so its images were not checked: {item.error}",
            ))
    for settled in image_plan.settled:
        if settled.reason is not None:
            found.append(_diagnostic(settled.ref.path, settled.ref, settled.reason, settled.detail))
    for waiting in image_plan.pending if not network_down else ():
        probes = results.get(waiting.url)
        if not probes or waiting.referrer not in probes:
            continue
        reason, detail = verdict(probes, waiting.referrer, hotlink_hosts)
        if reason is not None and waiting.upgraded:
            detail = f"{detail} (the blog is https, so browsers request {waiting.url} instead)"
        if reason is not None:
            found.append(_diagnostic(waiting.ref.path, waiting.ref, reason, detail))
    found.sort()
    lines = {(item.path, number): text for item in image_plan.files for number, text in item.lines.items()}
    return ImagesRun(found, len(image_plan.files), image_plan.references, len(image_plan.wanted), FetchStats(), lines)


def check_images(
    paths: Sequence[str],
    settings: ImageSettings,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
    **network: Any,
) -> ImagesRun:
    """:func:`plan`, :func:`fetch` and :func:`report` in one call (``network``: :func:`fetch`'s test seams)."""
    image_plan = plan(paths, settings, jobs)
    results, stats = fetch(image_plan, settings, progress, **network)
    run = report(image_plan, results, settings, stats.network_down)
    run.stats = stats
    return run
