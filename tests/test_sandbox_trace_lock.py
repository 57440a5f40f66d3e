"""The host-wide global-hook lock (real flock on /run/lock): runs that read traces share
it, a run with a global hook holds it alone, and a waiting exclusive taker is not starved
by shared takers that keep coming."""

from __future__ import annotations

import threading
import time

import pytest

from sandbox.backends.base import GlobalHooksBusy, TraceLock, trace_lock
from sandbox.job import Job


def acquire_in_thread(lock: TraceLock) -> tuple[threading.Thread, threading.Event]:
    got = threading.Event()

    def take() -> None:
        lock.acquire()
        got.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return thread, got


def test_it_lets_readers_share_and_keeps_a_writer_out_until_they_are_done() -> None:
    first, second = TraceLock(exclusive=False).acquire(), TraceLock(exclusive=False)
    second.acquire()  # a second reader at once: shared
    writer = TraceLock(exclusive=True)
    thread, got = acquire_in_thread(writer)
    try:
        assert not got.wait(0.2), "the writer waits for the readers"
        first.release()
        assert not got.wait(0.1)
        second.release()
        assert got.wait(5), "the writer gets it once both are gone"
    finally:
        first.release()
        second.release()
        thread.join(5)
        writer.release()


def test_it_queues_new_readers_behind_a_waiting_writer() -> None:
    reader = TraceLock(exclusive=False).acquire()
    writer, late_reader = TraceLock(exclusive=True), TraceLock(exclusive=False)
    writer_thread, writer_got = acquire_in_thread(writer)
    time.sleep(0.1)  # the writer is waiting now
    reader_thread, reader_got = acquire_in_thread(late_reader)
    try:
        assert not reader_got.wait(0.2), "a reader that came after the writer waits"
        reader.release()
        assert writer_got.wait(5)
        assert not reader_got.wait(0.1), "and still waits while the writer holds it"
        writer.release()
        assert reader_got.wait(5)
    finally:
        for lock in (reader, writer, late_reader):
            lock.release()
        writer_thread.join(5)
        reader_thread.join(5)


def test_it_gives_up_after_its_timeout() -> None:
    holder = TraceLock(exclusive=True).acquire()
    try:
        started = time.monotonic()
        with pytest.raises(GlobalHooksBusy):
            TraceLock(exclusive=False, timeout_s=0.3).acquire()
        assert 0.25 <= time.monotonic() - started < 2
    finally:
        holder.release()


def test_it_picks_the_lock_a_job_needs() -> None:
    tracepoint = Job(
        object=b"\x7fELF...SEC tracepoint/syscalls/sys_enter_execve",
        ops=[{"op": "load", "id": "load"}, {"op": "attach", "id": "a"}],
    )
    xdp = Job(
        object=b"\x7fELF...xdp",
        ops=[{"op": "load", "id": "load"}, {"op": "attach", "id": "a", "target": "xdp"}],
    )

    exclusive = trace_lock(tracepoint, reads_trace=False)
    assert exclusive is not None and exclusive.exclusive
    shared = trace_lock(xdp, reads_trace=True)
    assert shared is not None and not shared.exclusive
    assert trace_lock(xdp, reads_trace=False) is None
