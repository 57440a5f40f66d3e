"""One way to split an agent's byte stream into lines (every backend uses it): lines across
chunks, an over-long line dropped whole, the unfinished last line at the end."""

from __future__ import annotations

from sandbox.backends.base import LineSplitter


def test_it_joins_lines_split_across_chunks() -> None:
    lines = LineSplitter()

    assert lines.feed(b'{"event": "st') == []
    assert lines.feed(b'age"}\n{"a": 1}\n{"b"') == [b'{"event": "stage"}', b'{"a": 1}']
    assert lines.end() == b'{"b"'
    assert lines.end() is None


def test_it_drops_an_over_long_line_whole_and_goes_on() -> None:
    lines = LineSplitter(limit=8)

    assert lines.feed(b"ok\n0123456789") == [b"ok"]
    assert lines.feed(b"abcdef") == []
    assert lines.feed(b"ghi\nnext\n") == [b"next"]
    assert lines.feed(b"0123456789") == []
    assert lines.end() is None


def test_it_keeps_a_line_of_exactly_the_limit() -> None:
    lines = LineSplitter(limit=4)

    assert lines.feed(b"abcd") == []
    assert lines.feed(b"\n") == [b"abcd"]
