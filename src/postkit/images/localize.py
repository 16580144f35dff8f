"""Store the remote images a blog would lose in its ``source/`` folder, and point the posts at them.

``postkit images --localize [hotlinked|all]`` runs the usual check first
(``images/run.py``), then:

1. **Chooses** references by the checker's verdict. ``hotlinked`` (the
   default) takes the images that fail with the blog's Referer but load
   without one (IMG302 ``hotlink-protected``, which includes WeChat's "not
   allowed" picture); ``all`` takes every remote image the checker found
   fine, too. Broken images (404, HTML pages, placeholders, timeouts...)
   are never stored; the report shows them as before.
2. **Downloads** each chosen URL once, with :class:`Downloader`: the
   checker's own client (``images/remote.py``), so the same concurrency,
   per-host limit, retries, ``Retry-After``, per-URL deadline, bounded
   redirects, address guard and no cookies. A hot-linked image is fetched
   without a Referer; any other with the Referer a reader sends. A picture
   the check already read whole (it fitted in the check's 4 KB prefix) is
   not fetched again. Only a body whose bytes sniff as a picture
   (PNG, JPEG, GIF, WebP, BMP, ICO, AVIF, HEIF; SVG never, as browsers do
   not sniff it either) and that is at most ``localize-max-size`` bytes
   (default 20 MB) is stored.
3. **Places** each picture, following Hexo's ``_config.yml``:

   - ``post_asset_folder: true``: the post's asset folder
     (``source/_posts/<post>/``) for images in the body of a post or draft
     (pages have no asset folder). A Markdown image
     keeps its alt text and title; its destination becomes the plain file
     name when hexo-renderer-marked's ``marked.postAsset`` is on (with
     ``prependRoot``, its default), and otherwise the image becomes
     ``{% asset_img name '"title" "alt"' %}``. An HTML ``<img>`` (``src``,
     lazy attributes, ``srcset``) gets ``{% asset_path name %}``. Both tags
     give the asset's site path on every page that shows the post.
   - Otherwise, and for front matter fields, ``{% img %}`` tags, Markdown
     reference definitions without ``postAsset``, and Markdown images whose
     alt text or title a Hexo tag cannot carry: ``source/images/<post>/``,
     referenced by its site path. Themes read front matter fields as URLs,
     and asset folder names mean nothing to them. The site's ``root``
     (``/blog/``) is honoured where Hexo does not add it itself: raw HTML
     gets ``/blog/images/<post>/<name>``; Markdown (hexo-renderer-marked's
     ``prependRoot``, on by default), ``{% img %}`` and front matter (themes'
     ``url_for``) get ``/images/<post>/<name>``, and Hexo adds ``/blog``.

   The file name is the first 12 hex digits of the picture's SHA-256 and the
   extension of its sniffed type, so one picture used twice in a post is
   stored once. A name whose file holds other bytes is never reused: the
   name grows (16, 20... digits) until it is free.
4. **Writes** the pictures first (each to a temporary file, flushed to disk,
   then renamed), then the manifest, then each post atomically, changing only
   the URL's characters. An interrupted run leaves no post pointing at a
   missing file, and the next run finishes the work; a run with nothing new
   writes nothing. Hexo 7's cache (``db.json``) does not see new files in
   the asset folder of a post that changed at the same time, so after
   storing into asset folders the command says to run ``hexo clean`` first. Nothing is written outside the site's ``source/``
   folder: a post or folder that would leave it is an error (IMG403).

The original URLs are kept in ``source/_data/postkit-images.json``, keyed
by the stored file's path under ``source/``: the URLs it came from, its
SHA-256 and size, and the posts that use it. Hexo reads ``source/_data``
as site data and publishes none of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import quote

from postkit.core.diagnostics import Edit
from postkit.core.document import ReadError, apply_edits, read_document, write_atomic
from postkit.images import collect as kinds
from postkit.images.collect import ImageRef
from postkit.images.content import HOTLINK_PLACEHOLDER_HOSTS, sniff_image
from postkit.images.local import shown
from postkit.images.reasons import REASONS, Reason
from postkit.images.remote import CheckOptions, ProbeResult, RemoteChecker, verdict
from postkit.images.rewrite import asset_img_edit, url_edit
from postkit.images.run import ImageDiagnostic, ImagePlan, ImageSettings, Pending

MODES = ("hotlinked", "all")
DEFAULT_MAX_SIZE = 20 * 1000 * 1000
MANIFEST = ("_data", "postkit-images.json")
IMAGES_FOLDER = "images"
HASH_DIGITS = 12
EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/x-icon": ".ico",
    "image/avif": ".avif",
    "image/heif": ".heic",
}
_HTML_KINDS = (kinds.IMG_SRC, kinds.IMG_LAZY, kinds.IMG_SRCSET, kinds.PICTURE_SOURCE)

# Why a chosen image was not stored: the 4xx reasons of images/reasons.py, which `postkit rules` lists.
LOCALIZE_REASONS: dict[str, Reason] = {name: REASONS[name] for name in ("too-large", "not-stored", "outside-source", "not-rewritable")}

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.I)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "m": 1000**2, "mb": 1000**2, "g": 1000**3, "gb": 1000**3,
          "ki": 1024, "kib": 1024, "mi": 1024**2, "mib": 1024**2, "gi": 1024**3, "gib": 1024**3}


class LocalizeError(Exception):
    """A run that cannot start or finish: no Hexo site, an unreadable manifest (the command exits 2)."""


def parse_size(value: int | str) -> int:
    """Bytes in a size: a whole number of bytes, or text such as ``20MB``, ``512 KiB``, ``1.5 MB``.

    Raises:
        ValueError: a negative or zero size, a boolean, or text in another shape.
    """
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"a size must be more than 0 bytes: {value!r}")
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"not a size: {value!r} (use bytes, or a number with KB, MB, KiB, MiB..., such as '20MB')")
    size = int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])
    if size <= 0:
        raise ValueError(f"a size must be more than 0 bytes: {value!r}")
    return size


@dataclass(frozen=True)
class LocalizeOptions:
    """How to localize: ``mode`` (``hotlinked`` or ``all``), the size cap in bytes, and marked's ``postAsset``.

    ``post_asset`` is true when hexo-renderer-marked resolves plain file names
    to post assets (``marked.postAsset`` and ``marked.prependRoot`` both on).
    ``write`` is false for ``--check`` and ``--dry-run``. ``prepend_root``
    is marked's ``prependRoot`` (default on): it puts the site's ``root``
    before a Markdown image's site path.
    """

    mode: str = "hotlinked"
    max_size: int = DEFAULT_MAX_SIZE
    post_asset: bool = False
    write: bool = True
    prepend_root: bool = True


def options_for(config: Any, site_config: Mapping[str, Any], mode: str, write: bool) -> LocalizeOptions:
    """The options of a run: ``mode`` from the command line, the size cap from ``[tool.postkit.images]``, ``postAsset`` from ``_config.yml``.

    Raises:
        ValueError: an unknown mode or an unusable ``localize-max-size`` (the message names it).
    """
    if mode not in MODES:
        raise ValueError(f"--localize takes 'hotlinked' or 'all', not {mode!r} (write paths after it, or use --localize=all)")
    section = config.section("images")
    try:
        max_size = parse_size(section.get("localize-max-size", DEFAULT_MAX_SIZE))
    except ValueError as error:
        raise ValueError(f"[tool.postkit.images] localize-max-size: {error}") from None
    marked = site_config.get("marked") if isinstance(site_config.get("marked"), dict) else {}
    prepend_root = marked.get("prependRoot", True) is not False
    post_asset = marked.get("postAsset") is True and prepend_root
    return LocalizeOptions(mode, max_size, post_asset, write, prepend_root)


# --- choosing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chosen:
    """A reference to store: the ``url`` to download, the Referer to send (``None``: none) and why (``reason``)."""

    pending: Pending
    referrer: str | None
    reason: str

    @property
    def ref(self) -> ImageRef:
        """The reference in the post."""
        return self.pending.ref


def choose(image_plan: ImagePlan, results: Mapping[str, Mapping[str | None, Any]], settings: ImageSettings, mode: str) -> list[Chosen]:
    """The references to store, judged by the checker's own :func:`~postkit.images.remote.verdict`; pure."""
    hotlink_hosts = settings.check.hotlink_hosts if settings.check is not None else HOTLINK_PLACEHOLDER_HOSTS
    chosen = []
    for waiting in image_plan.pending:
        probes = results.get(waiting.url)
        if not probes or waiting.referrer not in probes:
            continue
        reason, _ = verdict(probes, waiting.referrer, hotlink_hosts)
        if reason == "hotlink-protected":
            chosen.append(Chosen(waiting, None, reason))
        elif reason is None and mode == "all":
            chosen.append(Chosen(waiting, waiting.referrer, "all"))
    return chosen


# --- downloading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """What one URL gave: the picture's ``data`` and sniffed ``media_type``, or a ``problem`` ``(reason, detail)``."""

    url: str
    referrer: str | None
    data: bytes = b""
    media_type: str | None = None
    problem: tuple[str, str] | None = None


class Downloader(RemoteChecker):
    """The checker's client, asked for whole bodies: one GET per URL and Referer, up to ``max_size`` + 1 bytes.

    Everything else is the checker's: the limits in total and per host,
    retries with backoff, ``Retry-After``, hand-followed redirects with
    their bound, the address guard (no redirect from a public address to a
    private one), the ``deadline`` for each URL (it bounds a download too:
    raise it for large pictures on slow links), the User-Agent, no cookies,
    and the verdict on the answer (``classify_answer``: an error status, an
    HTML page or a known placeholder picture is no picture). A picture the
    check already read whole (``ProbeResult.body``) is not asked for again.
    Runs in this process, since the bodies must come back.
    """

    def __init__(self, options: CheckOptions, max_size: int, progress: Callable[[str], None] | None = None) -> None:
        super().__init__(options, None, progress, workers=1, keep_bodies=True)
        self.max_size = max_size

    async def _check_url(self, url: str, referrers: set[str | None]) -> dict[str | None, Any]:
        # Only the Referers asked for: the check has already judged this URL with and without one.
        results = {referrer: await self.probe(url, referrer) for referrer in sorted(referrers, key=lambda r: (r is None, r or ""))}
        if self.progress is not None:
            self.progress(url)
        return results

    async def _attempt(self, url: str, referrer: str | None, sent: Any, clock: Any) -> Any:
        # One GET of the whole body, bounded by max_size + 1 (so that a larger one shows as larger), under the
        # probe's deadline; _fetch follows redirects with the checker's address guard.
        return await self._fetch("GET", url, referrer, self.max_size + 1, sent, clock)

    def download(
        self, wanted: Mapping[str, set[str | None]], checked: Mapping[str, Mapping[str | None, ProbeResult]] | None = None
    ) -> dict[tuple[str, str | None], Download]:
        """Every URL of ``wanted`` with each of its Referers; never raises for network trouble.

        A probe of ``checked`` (the check's results) that holds the whole
        picture is used as it is; the rest are fetched.
        """
        found: dict[tuple[str, str | None], Download] = {}
        fetch: dict[str, set[str | None]] = {}
        for url, referrers in wanted.items():
            for referrer in referrers:
                known = (checked or {}).get(url, {}).get(referrer)
                if known is not None and known.ok and known.body is not None:
                    found[(url, referrer)] = self.judge(known)
                    if self.progress is not None:
                        self.progress(url)
                else:
                    fetch.setdefault(url, set()).add(referrer)
        if fetch:
            for url, probes in self.check(fetch).items():
                for referrer, result in probes.items():
                    found[(url, referrer)] = self.judge(result)
        return found

    def judge(self, result: ProbeResult) -> Download:
        """What a fetch of the whole body gave: the picture to store, or why there is none; pure."""
        url, referrer = result.url, result.referrer
        if result.reason is not None:
            return Download(url, referrer, problem=("not-stored", f"the download failed: {result.detail}"))
        if result.body is None or len(result.body) > self.max_size:
            return Download(url, referrer, problem=("too-large", f"larger than localize-max-size ({self.max_size:,} bytes)"))
        media_type = sniff_image(result.body[:64])
        if media_type is None:
            shown_type = result.content_type or "no Content-Type"
            return Download(url, referrer, problem=(
                "not-stored",
                f"the bytes ({shown_type}) do not sniff as a PNG, JPEG, GIF, WebP, BMP, ICO, AVIF or HEIF picture; "
                "postkit stores only those (never SVG, which can carry scripts)",
            ))
        return Download(url, referrer, result.body, media_type)


# --- placing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredImage:
    """A picture in the site: its file ``path``, that path under ``source/`` (``site_path``, with ``/``), and its bytes' digest.

    ``new`` is false when the file already held these bytes (an earlier run).
    """

    path: Path
    site_path: str
    sha256: str
    size: int
    media_type: str
    new: bool
    data: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class Rewrite:
    """One reference pointed at a stored picture: the ``edit`` to its post and the ``text`` it now reads."""

    ref: ImageRef
    edit: Edit
    text: str
    stored: StoredImage
    original_url: str


@dataclass
class LocalizeResult:
    """What a localize run did, or would do with ``write`` off.

    ``stored`` lists the pictures (new and already present) in first-use
    order; ``rewrites`` the references pointed at them; ``changed_posts``
    the posts whose text changes; ``problems`` the diagnostics of images
    not stored; ``downloaded`` the bytes received and ``requests`` the HTTP
    requests sent.
    """

    stored: list[StoredImage] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)
    changed_posts: list[str] = field(default_factory=list)
    problems: list[ImageDiagnostic] = field(default_factory=list)
    downloaded: int = 0
    requests: int = 0
    manifest: Path | None = None
    write: bool = True
    written: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def new_images(self) -> list[StoredImage]:
        """The pictures whose files do not exist yet (or did not, before this run wrote them)."""
        return [image for image in self.stored if image.new]

    @property
    def would_change(self) -> bool:
        """True when the run stores a picture or rewrites a post."""
        return bool(self.new_images or self.changed_posts)


def _inside(path: Path, folder: Path) -> bool:
    resolved, base = os.path.realpath(path), os.path.realpath(folder)
    return resolved == base or resolved.startswith(base.rstrip(os.sep) + os.sep)


def _problem(ref: ImageRef, reason: str, detail: str) -> ImageDiagnostic:
    info = LOCALIZE_REASONS[reason]
    return ImageDiagnostic(
        ref.path, ref.line, ref.col, info.code, info.name, info.severity, f"{ref.url}: {detail}; not localized",
        None, ref.line if ref.end_col else None, ref.end_col, url=ref.url, source_kind=ref.source_kind, detail=detail,
    )


class _Names:
    """File names by content, per folder: a name is never given to two different pictures."""

    def __init__(self) -> None:
        self.taken: dict[Path, str] = {}  # file -> sha256 of its bytes (this run's and the disk's)

    def place(self, folder: Path, digest: str, extension: str) -> tuple[Path, bool]:
        """The file for the picture of SHA-256 ``digest`` in ``folder``, and whether it must be written (``False``: it already holds these bytes)."""
        for digits in range(HASH_DIGITS, len(digest) + 1, 4):
            path = folder / f"{digest[:digits]}{extension}"
            known = self.taken.get(path)
            if known is None and path.is_file():
                known = hashlib.sha256(path.read_bytes()).hexdigest()
                self.taken[path] = known
                if known == digest:
                    return path, False
            if known is None and not path.exists():
                self.taken[path] = digest
                return path, True
            if known == digest:
                return path, False
        raise LocalizeError(f"every name for {digest}{extension} in {folder} is taken by other bytes")


def localize(
    image_plan: ImagePlan,
    results: Mapping[str, Mapping[str | None, Any]],
    settings: ImageSettings,
    options: LocalizeOptions,
    progress: Callable[[str], None] | None = None,
) -> LocalizeResult:
    """Choose, download, place and (with ``options.write``) write; see the module docstring.

    Raises:
        LocalizeError: the posts are in no Hexo site, the manifest cannot be read, or a write fails.
    """
    layout = settings.layout
    if layout.source is None:
        raise LocalizeError("--localize needs a Hexo site (a folder with _config.yml): pictures are stored in its source folder")
    source = Path(os.path.realpath(layout.source))
    outcome = LocalizeResult(manifest=source.joinpath(*MANIFEST), write=options.write)
    chosen = choose(image_plan, results, settings, options.mode)
    wanted: dict[str, set[str | None]] = {}
    usable: list[Chosen] = []
    for item in chosen:
        if not _inside(Path(item.ref.path), source):
            outcome.problems.append(_problem(item.ref, "outside-source", f"the post is outside the site's source folder {shown(source)}"))
            continue
        usable.append(item)
        wanted.setdefault(item.pending.url, set()).add(item.referrer)
    if not usable:
        return outcome
    downloader = Downloader(settings.check or CheckOptions(), options.max_size, progress)
    downloads = downloader.download(wanted, results)
    outcome.requests = downloader.requests
    outcome.downloaded = sum(len(d.data) for d in downloads.values())

    names = _Names()
    stored: dict[Path, StoredImage] = {}
    by_post: dict[str, list[Rewrite]] = {}
    documents: dict[str, Any] = {}
    for item in usable:
        ref = item.ref
        got = downloads[(item.pending.url, item.referrer)]
        if got.problem is not None:
            outcome.problems.append(_problem(ref, *got.problem))
            continue
        document = documents.get(ref.path)
        if document is None:
            try:
                document = documents[ref.path] = read_document(ref.path)
            except ReadError as error:
                outcome.problems.append(_problem(ref, "not-rewritable", f"the post cannot be read again: {error.message}"))
                continue
        placed = _place(document, ref, got, layout, options, source, names)
        if isinstance(placed, ImageDiagnostic):
            outcome.problems.append(placed)
            continue
        image, edit, text = placed
        image = stored.setdefault(image.path, image)
        by_post.setdefault(ref.path, []).append(Rewrite(ref, edit, text, image, ref.url))

    new_texts: dict[str, bytes] = {}
    listed: set[Path] = set()
    for post, rewrites in by_post.items():
        document = documents[post]
        try:
            text = apply_edits(document.text, [r.edit for r in rewrites])
        except ValueError as error:
            for rewrite in rewrites:
                outcome.problems.append(_problem(rewrite.ref, "not-rewritable", str(error)))
            continue
        outcome.rewrites.extend(rewrites)
        for rewrite in rewrites:
            if rewrite.stored.path not in listed:
                listed.add(rewrite.stored.path)
                outcome.stored.append(rewrite.stored)
        if text != document.text:
            outcome.changed_posts.append(post)
            new_texts[post] = document.encoded(text)
    if options.write:
        _write(outcome, new_texts, source)
        in_asset_folders = any(not image.path.is_relative_to(source / IMAGES_FOLDER) for image in outcome.new_images)
        if in_asset_folders and (layout.root / "db.json").is_file():
            # Hexo 7's cache (db.json) misses new files in the asset folder of a post that changed in the same
            # run, so asset_img, asset_path and postAsset names render empty until the cache is rebuilt.
            outcome.notes.append(
                "postkit images --localize: new files are in post asset folders; run 'hexo clean' before "
                "'hexo generate', or Hexo's cache (db.json) will not find them"
            )
    return outcome


def _place(document: Any, ref: ImageRef, got: Download, layout: Any, options: LocalizeOptions, source: Path, names: _Names) -> Any:
    """``(StoredImage, Edit, new text)`` for one reference, or the diagnostic of why it cannot be stored."""
    post = Path(os.path.realpath(ref.path))
    digest = hashlib.sha256(got.data).hexdigest()
    extension = EXTENSIONS[got.media_type or ""]
    asset_folder = post.parent / post.stem
    # A page is usually source/<name>/index.md: its folder names it.
    slug = post.parent.name if post.stem == "index" and post.parent != source else post.stem
    site_folder = source / IMAGES_FOLDER / slug
    attempts: list[tuple[Path, Callable[[str], tuple[Edit | None, str]]]] = []
    # Hexo gives asset folders to posts and drafts only; a page (source/about/index.md) has none.
    is_post = _inside(post, source / "_posts") or _inside(post, source / "_drafts")
    if layout.post_asset_folder and is_post:
        if ref.source_kind in (kinds.MARKDOWN, kinds.MARKDOWN_REFERENCE) and options.post_asset:
            attempts.append((asset_folder, lambda name: (url_edit(document, ref, name), name)))
        elif ref.source_kind == kinds.MARKDOWN:
            attempts.append((asset_folder, lambda name: _tag_edit(asset_img_edit(document, ref, name))))
        elif ref.source_kind in _HTML_KINDS:
            tag = "{%% asset_path %s %%}"
            attempts.append((asset_folder, lambda name: (url_edit(document, ref, tag % name), tag % name)))

    # Hexo puts root before a site path itself in Markdown (marked's prependRoot), in {% img %} and in
    # themes (url_for on front matter); raw HTML reaches the page as written, so it gets root here.
    markdown = ref.source_kind in (kinds.MARKDOWN, kinds.MARKDOWN_REFERENCE)
    root = layout.url_root if ref.source_kind in _HTML_KINDS or (markdown and not options.prepend_root) else "/"

    def site_path(name: str) -> tuple[Edit | None, str]:
        url = f"{root}{IMAGES_FOLDER}/{quote(slug, safe='')}/{name}"
        return url_edit(document, ref, url), url

    attempts.append((site_folder, site_path))
    for folder, make_edit in attempts:
        if not _inside(folder, source):
            return _problem(ref, "outside-source", f"{shown(folder)} is outside the site's source folder {shown(source)}")
        # The edit does not depend on the name's length; probe with a placeholder name before claiming one.
        edit, _ = make_edit(f"{digest[:HASH_DIGITS]}{extension}")
        if edit is None:
            continue
        path, new = names.place(folder, digest, extension)
        edit, text = make_edit(path.name)
        if edit is None:
            continue
        site_path_text = path.relative_to(source).as_posix()
        return StoredImage(path, site_path_text, digest, len(got.data), got.media_type or "", new, got.data), edit, text
    return _problem(ref, "not-rewritable", "the URL as written spans lines or no longer reads as this URL, so it cannot be replaced in place")


def _tag_edit(edit: Edit | None) -> tuple[Edit | None, str]:
    return edit, edit.content if edit is not None else ""


# --- writing ----------------------------------------------------------------------------------------------


def write_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` atomically, flushed to disk before the rename.

    The flush comes first, so a crash never leaves a post pointing at a
    picture that is present but empty.
    """
    write_atomic(path, data, durable=True)


def manifest_entries(outcome: LocalizeResult, source: Path, existing: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest's ``images`` table with this run's pictures added: site path → URLs, digest, size, posts; pure."""
    images = {key: dict(value) for key, value in existing.items()}
    for rewrite in outcome.rewrites:
        entry = images.setdefault(rewrite.stored.site_path, {})
        entry["urls"] = sorted({*entry.get("urls", []), rewrite.original_url})
        entry["sha256"] = rewrite.stored.sha256
        entry["bytes"] = rewrite.stored.size
        entry["type"] = rewrite.stored.media_type
        post = Path(os.path.realpath(rewrite.ref.path)).relative_to(source).as_posix()
        entry["posts"] = sorted({*entry.get("posts", []), post})
    return dict(sorted(images.items()))


def read_manifest(path: Path) -> dict[str, Any]:
    """The ``images`` table of the manifest at ``path`` (``{}`` when there is none).

    Raises:
        LocalizeError: the file exists but is not a postkit manifest.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise LocalizeError(f"{shown(path)}: cannot read the image manifest ({error}); fix or move it, then run again") from None
    if not isinstance(data, dict) or not isinstance(data.get("images", {}), dict):
        raise LocalizeError(f"{shown(path)}: not a postkit image manifest (no 'images' table); fix or move it, then run again")
    return data.get("images", {})


def _write(outcome: LocalizeResult, new_texts: Mapping[str, bytes], source: Path) -> None:
    assert outcome.manifest is not None
    existing = read_manifest(outcome.manifest)
    try:
        # Pictures first, then the manifest, then the posts: a post never points at a missing file.
        # Each file is flushed to disk before its rename; flushes from several threads share the
        # file system's journal commits, about 8x faster than one after another. Every picture is
        # in place before the first post is written.
        new_images = outcome.new_images
        if new_images:
            with ThreadPoolExecutor(max_workers=min(32, len(new_images))) as pool:
                list(pool.map(lambda image: write_new_file(image.path, image.data), new_images))
        images = manifest_entries(outcome, source, existing)
        if images != existing:
            text = json.dumps({"generator": "postkit images --localize", "images": images}, ensure_ascii=False, indent=2) + "\n"
            write_atomic(outcome.manifest, text.encode("utf-8"))
        if new_texts:
            with ThreadPoolExecutor(max_workers=min(32, len(new_texts))) as pool:
                list(pool.map(lambda item: write_atomic(*item), new_texts.items()))
    except OSError as error:
        raise LocalizeError(f"cannot write: {error}") from None
    outcome.written = True


def listing(outcome: LocalizeResult) -> list[str]:
    """Lines that say what was (or, without ``write``, would be) stored and rewritten."""
    store, rewrite = ("stored", "rewrote") if outcome.write else ("would store", "would rewrite")
    lines = []
    for image in outcome.new_images:
        urls = sorted({r.original_url for r in outcome.rewrites if r.stored is image})
        lines.append(f"{store} {shown(image.path)} ({image.size:,} bytes) from {', '.join(urls)}")
    changed = set(outcome.changed_posts)
    for item in outcome.rewrites:
        if item.ref.path in changed:
            lines.append(f"{rewrite} {item.ref.path}:{item.ref.line}:{item.ref.col}: {item.original_url} -> {item.text}")
    return lines


def summary(outcome: LocalizeResult) -> str:
    """One line for stderr: how many pictures and posts, and where the original URLs are kept."""
    if not outcome.would_change:
        return "postkit images --localize: nothing to store; every chosen image is already in the site." if outcome.rewrites else (
            "postkit images --localize: nothing to store."
        )
    size = sum(image.size for image in outcome.new_images)
    verb = "stored" if outcome.write else "would store"
    text = (
        f"postkit images --localize: {verb} {len(outcome.new_images)} picture(s) ({size:,} bytes) for "
        f"{len(outcome.rewrites)} reference(s) in {len(outcome.changed_posts)} post(s)"
    )
    if outcome.written and outcome.rewrites and outcome.manifest is not None:
        text += f"; original URLs in {shown(outcome.manifest)}"
    return text + "."


def without_fixed(diagnostics: Sequence[ImageDiagnostic], outcome: LocalizeResult) -> list[ImageDiagnostic]:
    """The report's diagnostics, less those of references this run rewrote, plus the run's own problems, sorted."""
    fixed = {(r.ref.path, r.ref.line, r.ref.col) for r in outcome.rewrites} if outcome.written else set()
    kept = [d for d in diagnostics if (d.path, d.line, d.col) not in fixed]
    return sorted([*kept, *outcome.problems])


def run_for_command(
    config: Any, image_plan: ImagePlan, results: Mapping[str, Mapping[str | None, Any]], settings: ImageSettings, mode: str, write: bool
) -> LocalizeResult:
    """What ``postkit images --localize`` calls after its report: options from config and ``_config.yml``, a progress bar, exit 2 on a run that cannot work."""
    from postkit import console
    from postkit.images.local import read_site_config

    site_config = read_site_config(config.site_root) if config.site_root is not None else {}
    try:
        options = options_for(config, site_config, mode, write)
    except ValueError as error:
        raise console.fail(str(error)) from None
    chosen = choose(image_plan, results, settings, options.mode)
    try:
        with console.Progress(len({item.pending.url for item in chosen}), "pictures", threshold=1, auto_refresh=False) as progress:
            return localize(image_plan, results, settings, options, progress)
    except LocalizeError as error:
        raise console.fail(str(error)) from None
