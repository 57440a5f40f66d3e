"""`manage.py import_lab`, `export_lab` and `sync_labs`: the lab folder format on the
command line and from a course's Git repository; bad labs are refused with a clear error
and change nothing."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from labs.models import AuthoredLab, Lab
from tests.builders import authored_files, make_instructor

pytestmark = pytest.mark.django_db

SLUG = "course-drop-all"
HANGS = (Path(__file__).parent / "programs" / "hang.c").read_text()


def _folder(root: Path, slug: str, files: dict[str, str]) -> Path:
    folder = root / slug
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_it_imports_a_folder_and_exports_it_as_folder_and_zip(tmp_path):
    make_instructor()
    files = authored_files(SLUG)
    call_command("import_lab", str(_folder(tmp_path / "in", SLUG, files)), owner="ingrid")
    assert AuthoredLab.objects.get(lab__slug=SLUG).files == files
    call_command("export_lab", SLUG, str(tmp_path / "out"))
    exported = {p.name: p.read_text() for p in (tmp_path / "out" / SLUG).iterdir()}
    assert exported == files
    call_command("export_lab", SLUG, str(tmp_path / "lab.zip"))
    names = zipfile.ZipFile(tmp_path / "lab.zip").namelist()
    assert sorted(names) == sorted(f"{SLUG}/{name}" for name in files)


def test_it_refuses_a_yaml_bomb_and_writes_nothing(tmp_path):
    make_instructor()
    files = authored_files(SLUG)
    files["hints.en.yaml"] = "- &a [x, x, x]\n- [*a, *a, *a]\n"
    with pytest.raises(CommandError, match="hints.en.yaml: YAML anchors and aliases"):
        call_command("import_lab", str(_folder(tmp_path, SLUG, files)), owner="ingrid")
    assert not Lab.objects.filter(slug=SLUG).exists()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def test_it_syncs_a_course_repository_and_skips_a_broken_lab(tmp_path):
    make_instructor()
    repo = tmp_path / "course"
    _folder(repo / "labs", SLUG, authored_files(SLUG))
    broken = authored_files("course-broken")
    broken["lesson.en.md"] = "# Oops\n\n<script>alert(1)</script>\n"
    _folder(repo / "labs", "course-broken", broken)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "labs")
    with pytest.raises(CommandError, match="1 lab"):
        call_command("sync_labs", str(repo), owner="ingrid")
    authored = AuthoredLab.objects.get(lab__slug=SLUG)
    assert authored.origin == str(repo)
    assert not AuthoredLab.objects.filter(lab__slug="course-broken").exists()

    changed = authored_files(SLUG)
    changed["lesson.en.md"] = "# Drop everything, take two\n"
    (repo / "labs" / SLUG / "lesson.en.md").write_text(changed["lesson.en.md"])
    _git(repo, "rm", "-q", "-r", "labs/course-broken")
    _git(repo, "commit", "-q", "-am", "lesson")
    call_command("sync_labs", f"file://{repo}", owner="ingrid", ref="main")
    assert AuthoredLab.objects.get(lab__slug=SLUG).files["lesson.en.md"] == changed["lesson.en.md"]


def test_it_refuses_to_sync_over_another_instructors_lab(tmp_path):
    make_instructor()
    make_instructor("otto")
    call_command(
        "import_lab", str(_folder(tmp_path / "a", SLUG, authored_files(SLUG))), owner="otto"
    )
    with pytest.raises(CommandError, match="exists already"):
        call_command(
            "import_lab", str(_folder(tmp_path / "b", SLUG, authored_files(SLUG))), owner="ingrid"
        )


@pytest.mark.django_db(transaction=True)
def test_it_publishes_on_import_only_after_the_sandbox_self_check(tmp_path):
    make_instructor()
    call_command(
        "import_lab",
        str(_folder(tmp_path / "a", SLUG, authored_files(SLUG))),
        owner="ingrid",
        publish=True,
    )
    authored = AuthoredLab.objects.get(lab__slug=SLUG)
    assert authored.current.number == 1 and authored.lab.is_active


EXTRA_CHECK = """\
  - name: udp-dropped-{i}
    describe: {{en: "A UDP packet is dropped", zh-hans: "UDP 包被丢弃"}}
    packet: {{eth: {{}}, ipv4: {{}}, udp: {{sport: 40000, dport: 53}}}}
    expect: {{action: XDP_DROP}}
"""


def _every_check_a_thousand_times(lab_yaml: str) -> str:
    """Ten checks of 1000 test runs each: hang.c spends milliseconds in each run (bounded,
    the host's kernel runs it), so together they last several times the 20 s limit."""
    lab_yaml = lab_yaml.replace("    repeat: 3\n", "").rstrip("\n") + "\n"
    lab_yaml += "".join(EXTRA_CHECK.format(i=i) for i in range(5))
    return lab_yaml.replace(
        "    expect: {action: XDP_DROP}", "    repeat: 1000\n    expect: {action: XDP_DROP}"
    )


@pytest.mark.django_db(transaction=True)
def test_it_does_not_publish_a_solution_that_hangs(tmp_path):
    make_instructor()
    files = authored_files(SLUG)
    files["solution.c"] = HANGS
    files["lab.yaml"] = _every_check_a_thousand_times(files["lab.yaml"])
    with pytest.raises(
        CommandError, match="self-check failed, not published: solution FAILS: Time limit exceeded"
    ):
        call_command(
            "import_lab", str(_folder(tmp_path, SLUG, files)), owner="ingrid", publish=True
        )
    authored = AuthoredLab.objects.get(lab__slug=SLUG)
    assert authored.current is None and not authored.lab.is_active
