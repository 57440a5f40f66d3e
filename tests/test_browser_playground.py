"""The playground in a real browser against the live stack: open a lab's code in it, build
packets by field and by hex, run, share a permalink that shows the run, then run the program
live on the sandbox's veth and stop it with the button.

Screenshots go to test-results/<test name>/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.models import Run, Snippet
from tests.browser import RUN_TIMEOUT_MS, replace_code, watched_page
from tests.test_browser_learner import sign_up

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COUNTER = """#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1);
         __type(key, __u32); __type(value, __u64); } seen SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
    __u32 key = 0;
    __u64 *n = bpf_map_lookup_elem(&seen, &key);
    if (n)
        __sync_fetch_and_add(n, 1);
    bpf_printk("frame of %d bytes", ctx->data_end - ctx->data);
    return ctx->data_end - ctx->data > 60 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
"""


@pytest.fixture
def page(tmp_path: Path, output_dir: Path, monkeypatch) -> Iterator:  # type: ignore[no-untyped-def,type-arg]
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    viewport = {"width": 1440, "height": 1300}
    screenshot = output_dir / "last.png"
    with watched_page(tmp_path / "profile", screenshot, viewport, full_page=True) as browser_page:
        yield browser_page


def test_it_runs_shares_and_streams_a_program_in_the_playground(
    live_stack,
    content,
    page,
    output_dir: Path,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.sync_api import expect

    base = live_stack.http_url
    sign_up(page, base, "playground-user")
    page.goto(f"{base}/playground/")
    page.select_option("#pg-hook", "tracepoint")
    expect(page.locator(".cm-content")).to_contain_text("sys_enter_execve")
    expect(page.locator("#pg-trigger")).to_be_visible()
    expect(page.locator("input[name=packet-0-src]")).to_be_hidden()

    page.goto(f"{base}/labs/xdp-drop-udp-port/")
    page.get_by_test_id("open-in-playground").click()
    expect(page.locator("h1")).to_have_text("Playground")
    expect(page.locator("input[name=packet-0-dport]")).to_have_value("9999")

    replace_code(page, COUNTER)
    page.select_option("select[name=packet-0-kind]", "udp")
    page.fill("input[name=packet-0-len]", "100")
    page.select_option("select[name=packet-1-kind]", "hex")
    expect(page.locator("input[name=packet-1-src]")).to_be_hidden()
    page.fill("textarea[name=packet-1-hex]", "ff" * 6 + "02" * 6 + "0806" + "00" * 28)
    page.select_option("select[name=packet-2-kind]", "")
    page.select_option("select[name=packet-3-kind]", "")
    page.locator("#run-button").click()
    page.wait_for_url("**/playground/runs/*/")
    expect(page.locator("#run-panel.status-done")).to_have_count(1, timeout=RUN_TIMEOUT_MS)
    results = page.locator(".pg-result h4")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_contain_text("XDP_DROP")
    expect(results.nth(1)).to_contain_text("XDP_PASS")
    expect(page.get_by_test_id("trace")).to_contain_text("frame of 142 bytes")
    expect(page.locator("figure[data-map=seen]")).to_contain_text("= 2")
    # Its line among the recent runs follows it: it ran (no checks to fail, so not "Not yet").
    token = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator(f'[data-run-token="{token}"] .badge')).to_have_text("Ran")
    page.screenshot(path=str(output_dir / "1-run.png"), full_page=True)

    page.get_by_test_id("share").click()
    page.wait_for_url(re.compile(r".*/p/[A-Za-z0-9]{8}$"))
    snippet = Snippet.objects.get()
    assert snippet.source == COUNTER and len(snippet.settings["packets"]) == 2
    expect(page.get_by_test_id("snippet-note")).to_contain_text(f"/p/{snippet.slug}")
    expect(page.locator(".pg-result h4")).to_have_count(2, timeout=20_000)

    page.check("input[name=live]")
    page.fill("input[name=live-seconds]", "25")
    page.fill("input[name=live-rate]", "20")
    page.locator("#run-button").click()
    page.wait_for_url("**/playground/runs/*/")
    expect(page.get_by_test_id("live-progress")).to_contain_text(
        "packets sent", timeout=RUN_TIMEOUT_MS
    )
    page.screenshot(path=str(output_dir / "2-live.png"), full_page=True)
    page.get_by_test_id("stop").click()
    expect(page.get_by_test_id("live-stopped")).to_have_text("Stopped by you.", timeout=30_000)
    expect(page.locator("#run-panel.status-done")).to_have_count(1, timeout=30_000)
    run = Run.objects.order_by("-created_at").first()
    assert run is not None and run.verdict["live"]["stopped"] == "stop"
    assert run.verdict["live"]["elapsed_ms"] < 20_000
    page.screenshot(path=str(output_dir / "3-stopped.png"), full_page=True)
