"""Content problems are caught up front, naming the file and the field at fault."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from labs.spec import ContentError, load_curriculum, load_lab

CONTENT = Path(__file__).resolve().parent.parent / "content"


def _lab_copy(tmp_path: Path, slug: str, edit: Any) -> Path:
    """A copy of a real lab folder with its lab.yaml changed by `edit(data)`."""
    folder = tmp_path / slug
    shutil.copytree(CONTENT / "labs" / slug, folder)
    data = yaml.safe_load((folder / "lab.yaml").read_text())
    edit(data)
    (folder / "lab.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return folder


def _error(folder: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_lab(folder)
    return str(caught.value)


def test_it_names_the_file_and_field_of_an_unknown_action(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][2]["expect"]["action"] = "XDP_DORP"

    folder = _lab_copy(tmp_path, "xdp-drop-all", edit)

    message = _error(folder)

    assert message.startswith(f"{folder / 'lab.yaml'}: checks[2].expect.action: ")
    assert "unknown action 'XDP_DORP'" in message


def test_it_refuses_an_action_of_the_other_hook(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["expect"]["action"] = "TC_ACT_SHOT"

    assert "checks[0].expect.action" in _error(_lab_copy(tmp_path, "xdp-drop-all", edit))


def test_it_refuses_an_unknown_packet_field(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][1]["packet"]["ipv4"] = {"colour": "blue"}

    message = _error(_lab_copy(tmp_path, "xdp-drop-udp-port", edit))

    assert "checks[1].packet: ipv4.colour: unknown field" in message


def test_it_refuses_an_unknown_map_type(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["maps"][0]["type"] = "percpu_arary"

    assert "maps[0].type: unknown map type 'percpu_arary'" in _error(
        _lab_copy(tmp_path, "map-percpu-proto", edit)
    )


def test_it_refuses_an_unknown_placeholder(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["expect"]["trace"] = ["len={length}"]

    message = _error(_lab_copy(tmp_path, "printk-fields", edit))

    assert "checks[0].expect.trace: unknown placeholder {length}" in message


def test_it_refuses_a_key_of_the_wrong_size(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["seeds"][1]["key"] = {"ipv4": "203.0.113.128"}

    message = _error(_lab_copy(tmp_path, "map-lpm-blocklist", edit))

    assert "seeds[1].key: packs to 4 bytes, the map wants 8" in message


def test_it_refuses_a_map_check_on_an_undeclared_map(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][-1]["map"] = "pkt_counts"

    message = _error(_lab_copy(tmp_path, "map-array-counter", edit))

    assert "checks[4].map: no map 'pkt_counts' in `maps`" in message


def test_it_refuses_a_tc_frame_the_kernel_cannot_test_run(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["packet"]["truncate"] = 30

    message = _error(_lab_copy(tmp_path, "tc-drop-icmp", edit))

    assert "checks[0].packet: 30 bytes" in message


def test_it_refuses_an_output_check_on_repeated_runs(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["repeat"] = 2

    message = _error(_lab_copy(tmp_path, "xdp-swap-tx", edit))

    assert "checks[0].repeat: a check on the output frame needs repeat: 1" in message


def test_it_refuses_a_trigger_outside_the_allow_list(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][0]["argv"] = ["/usr/bin/id"]

    assert "checks[0].argv" in _error(_lab_copy(tmp_path, "tp-execve", edit))


def test_it_refuses_a_missing_translation(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        del data["checks"][0]["describe"]["zh-hans"]

    assert "checks[0].describe.zh-hans: missing translation" in _error(
        _lab_copy(tmp_path, "hello-printk", edit)
    )


def test_it_refuses_duplicate_check_names(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["checks"][1]["name"] = data["checks"][0]["name"]

    assert "checks[1].name: duplicate check name" in _error(
        _lab_copy(tmp_path, "xdp-drop-all", edit)
    )


def test_it_makes_a_missing_lesson_an_error(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    lesson = tmp_path / "content" / "labs" / "tc-set-dscp" / "lesson.zh-hans.md"
    lesson.unlink()

    with pytest.raises(ContentError) as caught:
        load_curriculum(tmp_path / "content")

    assert str(caught.value) == f"{lesson}: missing file"


def test_it_refuses_a_plan_naming_an_unknown_lab(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    plans_path = tmp_path / "content" / "plans.yaml"
    plans = yaml.safe_load(plans_path.read_text())
    plans[1]["labs"].append("xdp-drop-everything")
    plans_path.write_text(yaml.safe_dump(plans, allow_unicode=True))

    with pytest.raises(ContentError) as caught:
        load_curriculum(tmp_path / "content")

    assert str(caught.value).startswith(
        f"{plans_path}: [1].labs: unknown lab 'xdp-drop-everything'"
    )


def test_it_refuses_a_lab_folder_no_stage_lists(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    orphan = tmp_path / "content" / "labs" / "xdp-drop-some"
    shutil.copytree(CONTENT / "labs" / "xdp-drop-all", orphan)

    with pytest.raises(ContentError) as caught:
        load_curriculum(tmp_path / "content")

    assert str(caught.value).startswith(f"{orphan}: a lab folder no stage")
