"""The files that keep dictionary data and converted runs between processes, and their staleness checks."""

from __future__ import annotations

import marshal

import pytest

from postkit.traditional import opencc
from postkit.traditional.post import ScriptConverter
from postkit.traditional.rules import Phrase


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("POSTKIT_NO_CACHE", raising=False)
    return tmp_path / "postkit"


def test_dictionary_data_is_cached_and_read_back_the_same(cache_home):
    fresh = opencc.load_config("s2twp")
    assert (cache_home / "traditional-s2twp.marshal").is_file()
    assert (cache_home / "traditional-s2twp-phrases.marshal").is_file()
    cached = opencc.load_config("s2twp")
    assert cached.phrase_keys == fresh.phrase_keys and cached.later_keys == fresh.later_keys
    assert cached.phrase_starts == fresh.phrase_starts
    assert cached.source_only == fresh.source_only and cached.one_to_many == fresh.one_to_many


def test_a_stale_cache_file_is_not_used(cache_home):
    opencc.load_config("s2t")
    light = cache_home / "traditional-s2t.marshal"
    stored = marshal.loads(light.read_bytes())
    # As if the dictionaries had changed since: the fingerprint no longer matches.
    stored["fingerprint"] = ["another dictionary"]
    stored["source_only"] = "x"
    light.write_bytes(marshal.dumps(stored))
    assert "x" not in opencc.load_config("s2t").source_only
    assert marshal.loads(light.read_bytes())["fingerprint"] != ["another dictionary"]


def test_a_corrupt_cache_file_is_rebuilt(cache_home):
    opencc.load_config("s2t")
    (cache_home / "traditional-s2t.marshal").write_bytes(b"not marshal data")
    assert "发" in opencc.load_config("s2t").source_only


def test_converted_runs_persist_and_a_new_process_reads_them(cache_home):
    converter = ScriptConverter(opencc.load_config("s2t"))
    assert converter.convert_text("前头发生了一起事故") == "前頭發生了一起事故"
    converter._segmented.save_cache()
    files = list(cache_home.glob("traditional-runs-s2t-*.marshal"))
    assert len(files) == 1
    assert marshal.loads(files[0].read_bytes())["前头发生了一起事故"][0] == "前頭發生了一起事故"

    later = ScriptConverter(opencc.load_config("s2t"))

    def no_opencc(text):
        raise AssertionError("OpenCC was called for a cached run")

    # Served from the file: OpenCC is never built.
    later._segmented.loaded.__dict__["convert"] = no_opencc
    assert later.convert_text("前头发生了一起事故") == "前頭發生了一起事故"


def test_a_phrase_table_gets_its_own_run_file(cache_home):
    plain = ScriptConverter(opencc.load_config("s2twp"))
    table = {"参数": Phrase("参数", "參數", "user")}
    overridden = ScriptConverter(opencc.load_config("s2twp"), table)
    assert plain.convert_text("手机参数") == "手機引數"
    assert overridden.convert_text("手机参数") == "手機參數"
    plain._segmented.save_cache()
    overridden._segmented.save_cache()
    assert len(list(cache_home.glob("traditional-runs-s2twp-*.marshal"))) == 2


def test_no_run_file_under_postkit_no_cache(cache_home, monkeypatch):
    monkeypatch.setenv("POSTKIT_NO_CACHE", "1")
    converter = ScriptConverter(opencc.load_config("s2t"))
    converter.convert_text("这是一个测试")
    converter._segmented.save_cache()
    assert not list(cache_home.glob("traditional-runs-*"))
