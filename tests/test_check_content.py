"""`manage.py check_content`: every solution passes, every starter fails (or is rejected)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

CONTENT = Path(__file__).resolve().parent.parent / "content"
GOOD = {"solution_passed": True, "starter_failed": True}
# Drops every frame the fixed checks send, and half of the others at random: two copies
# of it cannot agree on generated frames.
COIN_FLIP = r"""
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int coin(struct xdp_md *ctx)
{
    if (ctx->data_end - ctx->data <= 90)
        return XDP_DROP;
    return bpf_get_prandom_u32() & 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


def _content_with(tmp_path: Path, slugs: list[str]) -> Path:
    """A content folder holding only these labs (one stage, one plan)."""
    root = tmp_path / "content"
    for slug in slugs:
        shutil.copytree(CONTENT / "labs" / slug, root / "labs" / slug)
    stage = yaml.safe_load((CONTENT / "stages.yaml").read_text())[0]
    stage["labs"] = slugs
    (root / "stages.yaml").write_text(yaml.safe_dump([stage], allow_unicode=True))
    plan = yaml.safe_load((CONTENT / "plans.yaml").read_text())[0]
    plan["labs"] = slugs
    (root / "plans.yaml").write_text(yaml.safe_dump([plan], allow_unicode=True))
    return root


def _check(settings, root: Path) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    settings.CONTENT_DIR = root
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check_content", "--json", stdout=out)
    return int(exit_.value.code or 0), json.loads(out.getvalue())


def test_it_passes_labs_whose_solution_passes_and_starter_fails(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = _content_with(tmp_path, ["xdp-drop-all", "verifier-bounds"])

    code, report = _check(settings, root)

    assert code == 0
    assert report["labs"] == [
        {"slug": "xdp-drop-all", **GOOD, "reference_agrees": True, "starter_differs": True},
        {"slug": "verifier-bounds", **GOOD, "reference_agrees": True, "starter_differs": None},
    ]


def test_it_flags_a_starter_that_already_passes(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = _content_with(tmp_path, ["xdp-drop-all"])
    lab = root / "labs" / "xdp-drop-all"
    shutil.copy(lab / "solution.c", lab / "starter.c")
    shutil.copy(lab / "solution.c", lab / "starter.zh-hans.c")  # the same code, as loading asks

    code, report = _check(settings, root)

    assert code == 1
    assert report["labs"] == [
        {
            "slug": "xdp-drop-all",
            "solution_passed": True,
            "starter_failed": False,
            "reference_agrees": True,
            "starter_differs": False,
        }
    ]


def test_it_flags_a_rejected_starter_that_should_load(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = _content_with(tmp_path, ["verifier-bounds"])
    lab = root / "labs" / "verifier-bounds"
    shutil.copy(lab / "solution.c", lab / "starter.c")
    shutil.copy(lab / "solution.c", lab / "starter.zh-hans.c")  # the same code, as loading asks
    (lab / "solution.c").write_text((lab / "solution.c").read_text().replace("<= 1", "< 1"))

    code, report = _check(settings, root)

    assert code == 1
    assert report["labs"] == [
        {
            "slug": "verifier-bounds",
            "solution_passed": False,
            "starter_failed": False,
            "reference_agrees": True,
            "starter_differs": None,
        }
    ]


def test_it_flags_a_starter_the_generated_frames_cannot_tell_from_the_reference(
    settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root = _content_with(tmp_path, ["xdp-drop-all"])
    spec = root / "labs" / "xdp-drop-all" / "lab.yaml"
    data = yaml.safe_load(spec.read_text())
    data["differential"] = {"compare": ["trace"]}  # neither prints: nothing tells them apart
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    code, report = _check(settings, root)

    assert code == 1
    assert report["labs"][0]["starter_failed"] is True
    assert report["labs"][0]["starter_differs"] is False


def test_it_flags_a_reference_that_disagrees_with_itself(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = _content_with(tmp_path, ["xdp-drop-all"])
    (root / "labs" / "xdp-drop-all" / "solution.c").write_text(COIN_FLIP)

    code, report = _check(settings, root)

    assert code == 1
    assert report["labs"][0]["reference_agrees"] is False


def test_it_fails_on_content_that_does_not_load(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = _content_with(tmp_path, ["xdp-drop-all"])
    (root / "labs" / "xdp-drop-all" / "hints.en.yaml").unlink()

    code, report = _check(settings, root)

    assert code == 1
    assert "hints.en.yaml: missing file" in report["error"]
