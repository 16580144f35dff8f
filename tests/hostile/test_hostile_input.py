"""Hostile input: one bad post never stops a run, memory stays bounded, workers never outlive the run.

The attacks live in ``attacks/`` as files. Runs that could eat the machine
if a fix regressed (alias bombs, large posts) go to a subprocess under an
address-space limit (``RLIMIT_AS``), so a regression fails the test with a
MemoryError instead.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import run_postkit, write

from postkit.core.document import STALE_TEMPORARY_AGE, remove_stale_temporary_files, write_atomic

ATTACKS = Path(__file__).parent / "attacks"
POSTKIT = str(Path(sys.executable).with_name("postkit"))
COMMANDS = (["validate"], ["convert", "--check"], ["traditional", "--check"], ["images", "--offline"])
MB = 1_000_000


def attack(name: str, tmp_path: Path) -> Path:
    """A fresh copy of an attack file or folder in ``tmp_path``."""
    source = ATTACKS / name
    target = tmp_path / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return target


def run_limited(args: list[str], cwd: Path, address_space: int, timeout: float = 120) -> subprocess.CompletedProcess:
    """``postkit ARGS`` in a subprocess that cannot map more than ``address_space`` bytes."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "POSTKIT_DEBUG")}
    return subprocess.run(
        [POSTKIT, *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
        timeout=timeout, preexec_fn=limit,
    )


# Explicit YAML tags whose value PyYAML cannot build.


@pytest.mark.parametrize(("name", "tag", "value"), [("tag-bool", "!!bool", "x"), ("tag-int", "!!int", "_"), ("tag-timestamp", "!!timestamp", "soon")])
def test_a_tagged_value_that_cannot_be_built_is_that_posts_pk002_at_its_line(tmp_path, name, tag, value):
    posts = attack("posts", tmp_path)
    result = run_postkit("validate", "--format", "concise", str(posts / f"{name}.md"))
    assert result.returncode == 1, result.stderr
    assert f"{name}.md:3:7: PK002 [error] front matter is not valid YAML: {value!r} is not a valid {tag} value" in result.stdout
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_tagged_posts_never_stop_a_folder_run(tmp_path, command):
    posts = attack("posts", tmp_path)
    result = run_postkit(*command, str(posts))
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr + result.stdout
    if command[0] == "validate":
        assert result.stdout.count("PK002") == 3
    if command[0] == "traditional":
        # The good post is still copied; the three bad ones are reported, each once.
        assert "missing: " + str(posts / "good.zh-Hant.md") in result.stdout
        assert result.stdout.count("is not a valid !!") == 3


def test_traditional_writes_the_good_copies_beside_tagged_posts(tmp_path):
    posts = attack("posts", tmp_path)
    result = run_postkit("traditional", str(posts))
    assert result.returncode == 1
    assert (posts / "good.zh-Hant.md").read_text(encoding="utf-8").endswith("<p>發佈</p>\n")
    assert not (posts / "tag-bool.zh-Hant.md").exists()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_a_tagged_value_in_the_site_config_is_a_config_error_with_its_line(tmp_path, command):
    site = attack("site-tags", tmp_path)
    result = run_postkit(*command, cwd=site)
    assert result.returncode == 2
    assert result.stderr.strip() == f"postkit: error: {site / '_config.yml'}:2:11: 'soon' is not a valid !!timestamp value"


# Alias bombs.


def test_an_alias_bomb_in_front_matter_is_walked_once_by_traditional(tmp_path):
    post = attack("alias-bomb.md", tmp_path)
    result = run_limited(["traditional", post.name], tmp_path, 1_000 * MB)
    assert result.returncode == 0, result.stderr
    copy = (tmp_path / "alias-bomb.zh-Hant.md").read_text(encoding="utf-8")
    # The anchored values convert once, where they are written; every alias stays an alias.
    assert 'a: &a ["發","發","發","發","發","發","發","發","發"]' in copy
    assert "tags: *j\nlang: zh-Hant\n" in copy


@pytest.mark.parametrize("name", ["alias-bomb.md", "alias-bomb-every-key.md"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_an_alias_bomb_in_front_matter_stays_small_in_every_command(tmp_path, command, name):
    attack(name, tmp_path)
    result = run_limited([*command, name], tmp_path, 1_000 * MB)
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: command[0])
def test_an_alias_bomb_in_the_site_config_is_refused_in_bounded_memory(tmp_path, command):
    site = attack("site-bomb", tmp_path)
    result = run_limited(command, site, 1_000 * MB)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"postkit: error: {site / '_config.yml'}: YAML aliases expand to more than 100,000 values; "
        "write the values out instead of nesting aliases"
    )


def test_a_large_site_config_value_is_cut_short_in_the_message(tmp_path):
    site = tmp_path / "site"
    write(site / "_config.yml", "timezone: [" + ", ".join(["'x' "] * 5000) + "]\n")
    write(site / "source" / "_posts" / "p.md", "---\ntitle: t\n---\n")
    result = run_postkit("validate", cwd=site)
    assert result.returncode == 2
    assert "'timezone' must be an IANA name" in result.stderr
    assert len(result.stderr) < 400


# Options and config values.


@pytest.mark.parametrize("suffix", ["x/y", "..\\x", "a\nb"])
def test_a_suffix_that_is_not_a_file_name_tag_is_a_usage_error(tmp_path, suffix):
    post = attack("mixed-body.md", tmp_path)
    result = run_postkit("traditional", "--suffix", suffix, str(post))
    assert result.returncode == 2
    assert result.stderr.startswith("postkit: error: --suffix must ")
    assert "internal error" not in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["mixed-body.md"]


def test_a_suffix_with_a_path_in_the_config_is_a_config_error(tmp_path):
    attack("mixed-body.md", tmp_path)
    write(tmp_path / ".postkit.toml", '[traditional]\nsuffix = "../x"\n')
    result = run_postkit("traditional", "mixed-body.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "[traditional]: 'suffix' must be a file-name tag" in result.stderr


def test_a_user_agent_with_a_line_break_is_a_config_error(tmp_path):
    write(tmp_path / ".postkit.toml", '[images]\nuser-agent = "postkit\\r\\nX-Injected: 1"\n')
    write(tmp_path / "p.md", "---\ntitle: t\n---\n![a](http://127.0.0.1:9/a.png)\n")
    result = run_postkit("images", "p.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "'user-agent' must be a non-empty string without line breaks or control characters" in result.stderr


# Mixed bodies: HTML first, Markdown after.


def test_a_body_in_html_then_markdown_keeps_its_url_and_code(tmp_path):
    post = attack("mixed-body.md", tmp_path)
    result = run_postkit("traditional", str(post))
    assert result.returncode == 0, result.stderr
    copy = (tmp_path / "mixed-body.zh-Hant.md").read_text(encoding="utf-8")
    assert copy.endswith(
        '<p>發佈圖片</p>\n\n[圖](//img.example.cn/图片/发布.png)\n\n    代码 = "发布"\n    print(代码)\n\n發佈後\n'
    )


# Large posts.


def test_a_post_over_max_post_size_is_that_files_error_in_every_command(tmp_path):
    write(tmp_path / ".postkit.toml", 'max-post-size = "2KB"\n')
    write(tmp_path / "big.md", "---\ntitle: 大\n---\n" + "<p>发布</p>\n" * 400)
    write(tmp_path / "small.md", "---\ntitle: 小\ndate: 2021-01-01T00:00:00Z\n---\n<p>发布</p>\n")
    message = "the post is 5.6 KB, larger than the max-post-size limit of 2 KB; raise max-post-size in the config to read it"
    validate = run_postkit("validate", "--format", "concise", ".", cwd=tmp_path)
    assert f"big.md:1:1: PK000 [error] {message}" in validate.stdout
    for command in (["convert", "--check"], ["traditional", "--check"]):
        result = run_postkit(*command, ".", cwd=tmp_path)
        assert result.returncode == 1
        assert f"big.md:1:1: PK000 {message}" in result.stdout
        assert "small" in result.stdout
    images = run_postkit("images", "--offline", "--format", "concise", ".", cwd=tmp_path)
    assert f"big.md:1:1: IMG000 [error] cannot read the post, so its images were not checked: {message}" in images.stdout


def test_max_post_size_must_be_a_size(tmp_path):
    write(tmp_path / ".postkit.toml", 'max-post-size = "ten"\n')
    write(tmp_path / "p.md", "---\ntitle: t\n---\n")
    result = run_postkit("validate", "p.md", cwd=tmp_path)
    assert result.returncode == 2
    assert "'max-post-size' must be a size" in result.stderr


def test_the_default_max_post_size_is_10_mb(tmp_path):
    write(tmp_path / "big.md", b"---\ntitle: t\n---\n" + b"x" * (10 * MB))
    result = run_postkit("validate", "--format", "concise", "big.md", cwd=tmp_path)
    assert "big.md:1:1: PK000 [error] the post is 10.0 MB, larger than the max-post-size limit of 10 MB" in result.stdout


# Peak memory under the limit: at most 20 times the post on top of the process's own
# address space. The baselines are what a run on a small post maps on this platform,
# with room to spare (measured: traditional about 200 MB, convert about 100 MB).
TRADITIONAL_BASELINE = 300 * MB
CONVERT_BASELINE = 150 * MB
LARGE = 5 * MB


def _sized(unit: str, size: int, head: str = "---\ntitle: 大\n---\n", tail: str = "") -> str:
    body = unit * ((size - len((head + tail).encode())) // len(unit.encode()))
    return head + body + tail


@pytest.mark.xdist_group("large-posts")
@pytest.mark.parametrize(
    "unit",
    [
        "发布 release 的 [链接](http://x.com/a) **粗体** `代码` 文字。",  # one long line
        "发布了一个新版本，见 [链接](http://x.com/a)。\n\n",  # many short paragraphs
        '<p>发布了一个新版本，<a href="http://x.com/">链接</a> <b>粗</b></p>\n',
    ],
    ids=["one-line", "paragraphs", "html"],
)
def test_traditional_on_a_large_post_stays_within_20_times_its_size(tmp_path, unit):
    write(tmp_path / "big.md", _sized(unit, LARGE))
    result = run_limited(["traditional", "big.md"], tmp_path, TRADITIONAL_BASELINE + 20 * LARGE, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "big.zh-Hant.md").stat().st_size > LARGE * 0.9


@pytest.mark.xdist_group("large-posts")
@pytest.mark.parametrize("wrapper", ["", '<div class="content">\n'], ids=["top-level", "wrapped"])
def test_convert_on_a_large_html_post_stays_within_20_times_its_size(tmp_path, wrapper):
    unit = '<p>发布了一个新版本，<a href="http://x.com/">链接</a> <b>粗</b></p>\n'
    write(tmp_path / "big.md", _sized(unit, LARGE, "---\ntitle: 大\n---\n" + wrapper, "</div>\n" if wrapper else ""))
    result = run_limited(["convert", "--in-place", "big.md"], tmp_path, CONVERT_BASELINE + 20 * LARGE, timeout=300)
    assert result.returncode == 0, result.stderr
    converted = (tmp_path / "big.md").read_text(encoding="utf-8")
    assert converted.count("发布了一个新版本，[链接](http://x.com/) **粗**\n") > 40_000


# Interrupts, kills and leftovers.


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent_and_write_nothing_after_it(tmp_path):
    for number in range(400):
        write(tmp_path / f"p{number:03d}.md", f"---\ntitle: 标题{number}\n---\n\n" + "发布了一个新版本，这是正文。\n" * 3000)
    process = subprocess.Popen([POSTKIT, "traditional", "--jobs", "2", "."], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and (len(workers) < 2 or not list(tmp_path.glob("*.zh-Hant.md"))):
            workers = _children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the run never started its workers"
        process.kill()
        process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers)
        written = sorted(tmp_path.glob("*.zh-Hant.md"))
        time.sleep(1)
        assert sorted(tmp_path.glob("*.zh-Hant.md")) == written
        assert len(written) < 400
    finally:
        for pid in _children(process.pid):
            os.kill(pid, signal.SIGKILL)


def test_ctrl_c_prints_interrupted_and_exits_130(tmp_path):
    # A server that accepts connections and never answers keeps the run busy until the signal.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    connected = threading.Event()
    held = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)
            connected.set()

    threading.Thread(target=accept, daemon=True).start()
    port = server.getsockname()[1]
    write(tmp_path / "p.md", f"---\ntitle: t\n---\n![a](http://127.0.0.1:{port}/a.png)\n")
    process = subprocess.Popen(
        [POSTKIT, "images", "--no-cache", "p.md"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert connected.wait(60), "the run never reached the server"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        server.close()
        for connection in held:
            connection.close()
    assert process.returncode == 130
    assert stderr.strip().endswith("postkit: interrupted")
    assert "Traceback" not in stderr


def test_stale_temporary_files_of_a_killed_run_are_swept_by_the_next_write(tmp_path):
    old = time.time() - STALE_TEMPORARY_AGE - 60
    stale = write(tmp_path / ".postkit-abcd1234.tmp", "half a post")
    fresh = write(tmp_path / ".postkit-efgh5678.tmp", "a write in progress")
    foreign = write(tmp_path / ".postkit-notours.tmp.bak", "someone else's")
    os.utime(stale, (old, old))
    os.utime(foreign, (old, old))
    outside = write(tmp_path.parent / f"{tmp_path.name}-target.txt", "kept")
    link = tmp_path / ".postkit-link0000.tmp"
    link.symlink_to(outside)
    os.utime(link, (old, old), follow_symlinks=False)
    write_atomic(tmp_path / "post.md", b"new")
    assert not stale.exists()
    assert fresh.exists() and foreign.exists() and link.is_symlink() and outside.exists()


def test_the_sweep_runs_once_per_folder_and_an_explicit_time_sweeps_again(tmp_path):
    stale = write(tmp_path / ".postkit-abcd1234.tmp", "x")
    assert remove_stale_temporary_files(tmp_path, now=time.time() + 3600) == [str(stale)]
    assert remove_stale_temporary_files(tmp_path, now=time.time() + 3600) == []


def test_convert_in_place_sweeps_the_folder_it_writes_in(tmp_path):
    stale = write(tmp_path / ".postkit-zzzz9999.tmp", "left by a kill")
    old = time.time() - STALE_TEMPORARY_AGE - 5
    os.utime(stale, (old, old))
    write(tmp_path / "p.md", "---\ntitle: t\n---\n<p>正文</p>\n")
    result = run_postkit("convert", "--in-place", "p.md", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not stale.exists()


def test_no_tagged_value_stops_any_command_in_process():
    """Every YAML 1.1 tag (and some others) on junk values, under the keys the rules look at."""
    import itertools

    from postkit.convert.post import convert_post
    from postkit.core.batch import Skip, TransformError
    from postkit.core.document import Document
    from postkit.core.front_matter import parse
    from postkit.images.collect import collect
    from postkit.traditional.copy import copy_text
    from postkit.validate.engine import Selection, check_document, fix_document
    from postkit.validate.rules.base import Settings

    tags = ["!!bool", "!!int", "!!float", "!!timestamp", "!!null", "!!binary", "!!set", "!!omap", "!!pairs", "!!seq",
            "!!map", "!!str", "!!python/name:os.system", "!<tag:x>", "!local", "!!merge", "!!value", "!!yaml"]
    values = ["x", "_", "''", "1", "[a]", "{a: 1}", "2021-13-45", "-", "0x", ".", "[[a, b]]", "{a: [1]}"]
    keys = ["title", "date", "tags", "headimg", "photos", "comments", "<<"]
    selection = Selection.build()
    for tag, value, key in itertools.product(tags, values, keys):
        document = Document.from_text(f"---\ntitle: t\n{key}: {tag} {value}\n---\n<p>发布</p>\n", "p.md")
        parsed = parse(document)
        if parsed.error is not None:
            assert parsed.error.line == 3, (tag, value, key, parsed.error)
        check_document(document, Settings(), selection)
        fix_document(document, Settings(), selection, unsafe=True)
        list(collect(document, ("headimg", "photos")))
        for transform in (lambda: copy_text(document, "s2t", ("title", "tags"), "lang"), lambda: convert_post(document)):
            try:
                transform()
            except (Skip, TransformError):
                pass


def _silent_server() -> tuple[socket.socket, threading.Event, list[socket.socket]]:
    """A server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    connected = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)
            connected.set()

    threading.Thread(target=accept, daemon=True).start()
    return server, connected, held


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_image_checker_workers_die_with_a_killed_parent(tmp_path):
    servers = [_silent_server() for _ in range(2)]
    lines = ["---", "title: t", "---"]
    for server, _, _ in servers:
        port = server.getsockname()[1]
        lines += [f"![a](http://127.0.0.1:{port}/{number}.png)" for number in range(250)]
    write(tmp_path / "p.md", "\n".join(lines) + "\n")
    process = subprocess.Popen([POSTKIT, "images", "--no-cache", "p.md"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert all(connected.wait(60) for _, connected, _ in servers), "the run never reached the servers"
        workers = _children(process.pid)
        assert len(workers) >= 2, "the run checked in one process"
        process.kill()
        process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers)
    finally:
        for pid in _children(process.pid):
            os.kill(pid, signal.SIGKILL)
        for server, _, held in servers:
            server.close()
            for connection in held:
                connection.close()
