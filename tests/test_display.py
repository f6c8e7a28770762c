"""The progress bar draws only on a terminal; logs and pipes see nothing."""

from __future__ import annotations

import io

from scheduler.display import progress, shows_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_the_items_and_no_output():
    stream = io.StringIO()
    assert list(progress(range(5), "导入", stream=stream)) == [0, 1, 2, 3, 4]
    assert stream.getvalue() == ""
    assert not shows_progress(stream)


def test_a_terminal_gets_a_bar_with_the_count():
    stream = Terminal()
    assert list(progress(["a", "b", "c"], "导入「附件3」", stream=stream)) == ["a", "b", "c"]
    assert shows_progress(stream)
    assert "导入「附件3」" in stream.getvalue()
    assert "3/3" in stream.getvalue()


def test_a_closed_stream_is_not_a_terminal():
    stream = io.StringIO()
    stream.close()
    assert not shows_progress(stream)
