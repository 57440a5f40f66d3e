"""A lab's `draws:` (the load balancer's backends) come from the run's seed: the same
seed draws the same values, each run other ones, filled into the map seeds and into the
expected output frames, so a program has to read the map rather than know it."""

from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path

import pytest
import yaml

from labs.grading.grade import for_run
from labs.spec import ContentError, load_lab, load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"
DOCUMENTATION = [
    ipaddress.IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


def _backends(lab) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = []
    for seed in lab.seeds:
        addr, mac = seed.value[:4], seed.value[4:10]
        found.append((str(ipaddress.IPv4Address(addr)), mac.hex(":")))
    return found


def test_it_draws_the_same_backends_for_the_same_seed_and_others_for_another() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-lb")

    first, again, other = lab.drawn(7), lab.drawn(7), lab.drawn(8)

    assert _backends(first) == _backends(again)
    assert _backends(first) != _backends(other)


def test_it_draws_distinct_documentation_addresses_no_packet_carries() -> None:
    lab = load_lab_by_slug(CONTENT, "xdp-lb")
    carried = {"203.0.113.10", "203.0.113.11", "192.0.2.33", "198.51.100.77", "192.0.2.1"}

    for seed in range(200):
        backends = _backends(lab.drawn(seed))
        addrs, macs = [a for a, _ in backends], [m for _, m in backends]
        assert len(set(addrs)) == 4 and len(set(macs)) == 4
        assert not carried & set(addrs)
        assert not {"02:00:00:00:00:01", "02:00:00:00:00:02"} & set(macs)
        for addr in addrs:
            assert any(ipaddress.IPv4Address(addr) in net for net in DOCUMENTATION)
            assert not addr.endswith((".0", ".255"))
        assert all(int(m[:2], 16) & 0x03 == 0x02 for m in macs)  # unicast, local


def test_it_expects_the_drawn_backend_in_the_rewritten_frame() -> None:
    lab, seed = for_run(load_lab_by_slug(CONTENT, "xdp-lb"), 1234)
    check = next(c for c in lab.checks if c.name == "to-backend-1")
    addr, mac = lab.seeds[1].value[:4], lab.seeds[1].value[4:10]

    assert seed == 1234
    assert check.output is not None
    assert check.output[0:6] == mac and check.output[30:34] == addr


def test_it_fills_drawn_values_into_a_checks_own_seeds() -> None:
    base = load_lab_by_slug(CONTENT, "xdp-lb")

    for seed in (1234, 99):
        lab, _ = for_run(base, seed)
        check = next(c for c in lab.checks if c.name == "backend-replaced")
        (replaced,) = check.seeds
        addr, mac = lab.seeds[2].value[:4], lab.seeds[0].value[4:10]
        assert replaced.value == addr + mac + b"\0\0"
        assert (replaced.map, replaced.key) == ("backends", (1).to_bytes(4, "little"))
    assert for_run(base, 1234)[0].checks != for_run(base, 99)[0].checks


def test_it_gives_a_run_a_seed_when_the_lab_draws_values() -> None:
    lab, seed = for_run(load_lab_by_slug(CONTENT, "xdp-lb"), None)

    assert seed is not None
    assert for_run(load_lab_by_slug(CONTENT, "tp-execve"), None) == (
        load_lab_by_slug(CONTENT, "tp-execve"),
        None,
    )


def test_it_names_a_placeholder_that_no_draw_makes(tmp_path: Path) -> None:
    folder = tmp_path / "xdp-lb"
    shutil.copytree(CONTENT / "labs" / "xdp-lb", folder)
    data = yaml.safe_load((folder / "lab.yaml").read_text())
    data["seeds"][0]["value"][0]["ipv4"] = "{addr[4]}"
    (folder / "lab.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    with pytest.raises(ContentError) as caught:
        load_lab(folder)

    assert "seeds[0].value: names no drawn value" in str(caught.value)
