"""The shipped curriculum loads: stages, the 19 contract labs in order, plans, prose."""

from __future__ import annotations

from pathlib import Path

from labs.spec import LANGUAGES, load_curriculum, load_lab_by_slug

CONTENT = Path(__file__).resolve().parent.parent / "content"
CONTRACT_LABS = [
    ("hello-printk", "xdp"),
    ("printk-fields", "xdp"),
    ("xdp-drop-all", "xdp"),
    ("xdp-drop-udp-port", "xdp"),
    ("xdp-swap-tx", "xdp"),
    ("map-array-counter", "xdp"),
    ("map-percpu-proto", "xdp"),
    ("map-hash-src", "xdp"),
    ("map-lpm-blocklist", "xdp"),
    ("tc-drop-icmp", "tc"),
    ("tc-set-dscp", "tc"),
    ("verifier-bounds", "xdp"),
    ("tp-execve", "tracepoint/syscalls/sys_enter_execve"),
    ("kprobe-unlink", "kprobe/do_unlinkat"),
    ("fexit-unlink", "fentry/do_unlinkat"),
    ("ringbuf-exec", "tracepoint/syscalls/sys_enter_execve"),
    ("tail-call-proto", "xdp"),
    ("socket-filter-dns", "socket"),
    ("xdp-lb", "xdp"),
]

# Labs of ours beyond the contract, each in its stage.
EXTRA_LABS = [("verifier-iter-options", "xdp")]


def test_it_loads_the_nineteen_contract_labs_in_course_order() -> None:
    curriculum = load_curriculum(CONTENT)

    loaded = [(lab.slug, lab.section) for lab in curriculum.labs.values()]
    assert [entry for entry in loaded if entry in CONTRACT_LABS] == CONTRACT_LABS
    assert set(loaded) - set(CONTRACT_LABS) == set(EXTRA_LABS)
    assert [s.slug for s in curriculum.stages][0] == "printk"
    assert all(curriculum.labs[slug].stage for slug, _ in CONTRACT_LABS)


def test_it_loads_lessons_hints_and_code_for_every_lab() -> None:
    curriculum = load_curriculum(CONTENT)

    for lab in curriculum.labs.values():
        assert set(lab.lessons) == set(LANGUAGES) and all(lab.lessons.values())
        assert set(lab.hints) == set(LANGUAGES) and all(lab.hints.values())
        assert "SEC(" in lab.starter and "SEC(" in lab.solution
        assert lab.checks


def test_it_loads_plans_whose_labs_exist() -> None:
    curriculum = load_curriculum(CONTENT)

    assert curriculum.plans
    for plan in curriculum.plans:
        assert all(slug in curriculum.labs for slug in plan.labs)


def test_it_loads_one_lab_for_grading_without_prose() -> None:
    lab = load_lab_by_slug(CONTENT, "map-lpm-blocklist")

    assert lab.lessons == {} and lab.hints == {}
    assert [m.name for m in lab.maps] == ["blocklist"]
    assert lab.seeds[0].key == (24).to_bytes(4, "little") + bytes([192, 0, 2, 0])
