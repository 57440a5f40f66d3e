"""The lab's files are the truth: a lab edited on disk after `load_content` is brought up to
date in the database (what its page shows) when a run is graded, by its content_hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from labs import curriculum
from labs.models import Lab
from labs.runner import execute_run
from labs.submissions import submit

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture
def content_copy(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    settings.CONTENT_DIR = root
    call_command("load_content", "--content-dir", str(root), verbosity=0)
    return root


@pytest.mark.django_db
def test_it_stores_the_folder_hash_when_loading(content_copy: Path) -> None:
    lab = Lab.objects.get(slug="xdp-drop-all")

    assert lab.content_hash == curriculum.folder_hash(content_copy / "labs" / "xdp-drop-all")


@pytest.mark.django_db
def test_it_updates_a_lab_edited_on_disk_when_a_run_is_graded(content_copy: Path, learner) -> None:
    spec = content_copy / "labs" / "xdp-drop-all" / "lab.yaml"
    spec.write_text(
        spec.read_text().replace("An IPv4 UDP packet is dropped", "A UDP datagram is dropped")
    )
    lab = Lab.objects.get(slug="xdp-drop-all")
    client = Client()
    client.force_login(learner)
    assert "A UDP datagram is dropped" not in client.get("/labs/xdp-drop-all/").content.decode()

    run = submit(learner, lab, lab.solution, backend="local")
    execute_run(run.pk)

    lab.refresh_from_db()
    assert lab.content_hash == curriculum.folder_hash(spec.parent)
    assert any(c["describe"]["en"] == "A UDP datagram is dropped" for c in lab.checks)
    assert "A UDP datagram is dropped" in client.get("/labs/xdp-drop-all/").content.decode()
    assert not curriculum.sync_lab_row(curriculum.get_lab("xdp-drop-all"))
