"""Quotation marks for the region: nesting, apostrophes, paragraphs, protected spans."""

from __future__ import annotations

from postkit.traditional.post import get_converter
from postkit.traditional.punctuation import forward_quotes, reverse_quotes


def test_outer_quotes_are_corner_brackets_and_inner_ones_double_corner_brackets():
    assert forward_quotes(["他说：“我读了‘红楼梦’和“西游记”。”"]) == ["他说：「我读了『红楼梦』和『西游记』。」"]
    assert forward_quotes(["“一‘二“三”二’一”"]) == ["「一『二「三」二』一」"]


def test_nesting_carries_across_the_texts_of_one_post():
    assert forward_quotes(["他说：“见", "里的‘说明’。”"]) == ["他说：「见", "里的『说明』。」"]


def test_an_apostrophe_and_a_stray_closing_mark_stay():
    assert forward_quotes(["don’t 和 ”这个"]) == ["don’t 和 ”这个"]


def test_a_blank_line_ends_an_open_quote():
    assert forward_quotes(["“第一段\n\n“第二段”"]) == ["「第一段\n\n「第二段」"]


def test_reverse_maps_back():
    assert reverse_quotes(["「一『二』一」"]) == ["“一‘二’一”"]


def test_protected_spans_keep_their_quotes():
    body = "他说“好”。`print(“x”)` 和 [“链接”](https://例子.cn/“a”) 与 <span title=\"“t”\">“s”</span>\n"
    converted = get_converter("s2twp").convert_post("", body, lang_key=None, punctuation=True)[1]
    assert converted.startswith("他說「好」。`print(“x”)` 和 [「連結」](https://例子.cn/“a”)")


def test_open_quotes_carry_across_batches_of_spans(monkeypatch):
    from postkit.traditional import post

    monkeypatch.setattr(post, "_SPAN_BATCH", 2)
    text = "他说“第一，`x`第二，`y`‘第三’，`z`完了”。"
    spans = [(0, 6), (9, 12), (15, 20), (23, 27)]
    converted = get_converter("s2twp").convert_spans(text, spans, punctuation=True)
    assert converted == "他說「第一，`x`第二，`y`『第三』，`z`完了」。"
