"""Live traffic mode through the worker: the program is attached for up to N seconds, the
page receives one `tick` a second with the trace lines and map snapshots since the last,
the stop button ends the run early and cleanly, and the time limit ends it by itself."""

from __future__ import annotations

import threading
import time

import pytest

from labs.models import Run, RunEvent
from labs.runner import execute_run
from sandbox.backends.local import LocalBackend
from tests.builders import execute_run_in_a_thread, make_free_run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not LocalBackend().available()[0], reason="needs root"),
]

PRINTER = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
         __type(key, __u32); __type(value, __u64); } packets SEC(".maps");
SEC("xdp")
int watch(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *n = bpf_map_lookup_elem(&packets, &key);
    if (n)
        __sync_fetch_and_add(n, 1);
    bpf_printk("packet of %d bytes", ctx->data_end - ctx->data);
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


def kinds(run: Run) -> list[str]:
    return list(RunEvent.objects.filter(run=run).values_list("kind", flat=True))


def test_it_streams_one_tick_a_second_and_ends_cleanly_at_the_limit(learner) -> None:
    run = make_free_run(learner, PRINTER, {"hook": "xdp", "live": {"seconds": 3, "rate": 40}})

    execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == Run.DONE, run.error
    assert run.verdict["live"]["stopped"] == "limit" and run.verdict["stage"] == "done"
    ticks = [e.data for e in RunEvent.objects.filter(run=run, kind="tick")]
    assert 3 <= len(ticks) <= 5
    assert sum(len(t["trace"]) for t in ticks) >= 100, "the lines came in the ticks"
    assert "trace" not in kinds(run), "lines of the live loop are not stored one by one"
    last = ticks[-1]["maps"][0]
    assert (
        last["map"] == "packets"
        and int.from_bytes(bytes.fromhex(last["entries"][0]["value"]), "little")
        == run.verdict["live"]["sent"]
    )


def test_it_stops_when_the_stop_button_is_pressed(client, learner) -> None:
    run = make_free_run(learner, PRINTER, {"hook": "xdp", "live": {"seconds": 20, "rate": 5}})
    worker = threading.Thread(target=execute_run_in_a_thread, args=(run.pk,))
    started = time.monotonic()
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while "tick" not in kinds(run) and time.monotonic() < deadline:
            time.sleep(0.1)
        client.force_login(learner)
        response = client.post(
            f"/playground/runs/{run.token}/stop/", HTTP_ACCEPT="application/json"
        )
        assert response.json()["stopping"] is True
    finally:
        worker.join(timeout=40)

    run.refresh_from_db()
    assert run.status == Run.DONE and run.verdict["live"]["stopped"] == "stop"
    assert "until you stopped it" in run.verdict["summary"]
    assert time.monotonic() - started < 12
    assert kinds(run)[-2:] == ["verdict", "finished"]


def test_it_lets_only_who_may_see_the_run_stop_it(client, learner, outsider) -> None:
    run = make_free_run(learner, PRINTER, {"hook": "xdp", "live": {"seconds": 5, "rate": 5}})
    client.force_login(outsider)
    assert client.post(f"/playground/runs/{run.token}/stop/").status_code == 404
    run.refresh_from_db()
    assert run.stop_requested_at is None


RING = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } sizes SEC(".maps");
struct seen { __u32 len; };
SEC("xdp")
int report(struct xdp_md *ctx)
{
    struct seen *s = bpf_ringbuf_reserve(&sizes, sizeof(*s), 0);
    if (s) {
        s->len = ctx->data_end - ctx->data;
        bpf_ringbuf_submit(s, 0);
    }
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


def test_it_streams_ring_buffer_records_in_the_ticks(learner) -> None:
    run = make_free_run(learner, RING, {"hook": "xdp", "live": {"seconds": 2, "rate": 10}})

    execute_run(run.pk)

    run.refresh_from_db()
    assert run.status == Run.DONE, run.error
    ticks = [e.data for e in RunEvent.objects.filter(run=run, kind="tick")]
    records = [r for t in ticks for r in t["records"]]
    assert len(records) >= 15 and all(r["map"] == "sizes" for r in records)
    assert "record" not in kinds(run), "records of the live loop come in the ticks"
