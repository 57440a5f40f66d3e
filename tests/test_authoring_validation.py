"""An authored lab's files are validated like content: every bad input is a clear error
naming the file (and the lab.yaml field) at fault, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest

from labs import authoring
from labs.authoring import AuthoringError
from tests.builders import authored_files

SLUG = "course-drop-all"

YAML_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def _error(files: dict[str, str]) -> AuthoringError:
    with pytest.raises(AuthoringError) as caught:
        authoring.validate(files, SLUG)
    return caught.value


def test_it_accepts_a_curriculum_lab_under_another_name():
    spec = authoring.validate(authored_files(SLUG), SLUG)
    assert spec.slug == SLUG
    assert spec.traffic is not None
    assert [c.name for c in spec.checks][:2] == ["udp-dropped", "tcp-dropped"]


def test_it_names_the_lab_yaml_field_at_fault():
    files = authored_files(SLUG)
    files["lab.yaml"] = files["lab.yaml"].replace(
        "expect: {action: XDP_DROP}", "expect: {action: XDP_EXPLODE}", 1
    )
    error = _error(files)
    assert (error.file, error.field) == ("lab.yaml", "checks[0].expect.action")
    assert "XDP_EXPLODE" in error.message
    assert "/tmp" not in error.message


def test_it_refuses_a_yaml_bomb_quickly():
    files = authored_files(SLUG)
    files["lab.yaml"] = YAML_BOMB + files["lab.yaml"].replace("slug:", "slug:", 1)
    error = _error(files)
    assert error.file == "lab.yaml"
    assert "aliases" in error.message


def test_it_refuses_a_huge_lesson(settings):
    files = authored_files(SLUG)
    files["lesson.en.md"] = "# Big\n" + "word " * (settings.AUTHORED_FILE_BYTES // 5 + 1)
    error = _error(files)
    assert error.file == "lesson.en.md"
    assert "limit" in error.message


def test_it_refuses_script_tags_in_a_lesson_but_not_in_its_code_blocks():
    files = authored_files(SLUG)
    files["lesson.en.md"] = "# Hi\n\n<script>alert(1)</script>\n"
    assert _error(files).file == "lesson.en.md"
    files["lesson.en.md"] = "# Hi\n\n```html\n<script>alert(1)</script>\n```\n"
    authoring.validate(files, SLUG)


def test_it_refuses_a_spec_naming_a_map_the_solution_lacks():
    files = authored_files("course-counter", base="map-array-counter")
    files["lab.yaml"] = files["lab.yaml"].replace("pkt_count", "frames_seen")
    error = _error_for(files, "course-counter")
    assert (error.file, error.field) == ("lab.yaml", "maps[0].name")
    assert "frames_seen" in error.message


def _error_for(files: dict[str, str], slug: str) -> AuthoringError:
    with pytest.raises(AuthoringError) as caught:
        authoring.validate(files, slug)
    return caught.value


def test_it_refuses_files_that_are_not_a_labs():
    files = {**authored_files(SLUG), "../../etc/passwd": "x"}
    assert "not a file of a lab folder" in _error(files).message


def test_it_takes_a_lesson_in_one_language_for_both():
    files = authored_files(SLUG)
    del files["lesson.zh-hans.md"], files["hints.zh-hans.yaml"]
    spec = authoring.validate(files, SLUG)
    assert spec.lessons["zh-hans"] == spec.lessons["en"]


def test_it_round_trips_an_archive():
    files = authored_files(SLUG)
    slug, back = authoring.read_archive(authoring.archive(files, SLUG))
    assert (slug, back) == (SLUG, files)


def test_it_refuses_a_zip_bomb_before_decompressing(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(f"{SLUG}/lesson.en.md", "a" * (settings.AUTHORED_LAB_BYTES * 4))
    data = buffer.getvalue()
    assert len(data) < settings.AUTHORED_ARCHIVE_BYTES
    with pytest.raises(AuthoringError, match="limit"):
        authoring.read_archive(data)


def test_it_refuses_an_archive_escaping_its_folder():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("../lab.yaml", "slug: x")
    with pytest.raises(AuthoringError):
        authoring.read_archive(buffer.getvalue())
    with pytest.raises(AuthoringError):
        authoring.validate(authored_files(SLUG), "..")


def test_it_keeps_the_differential_settings_apart_and_merges_them_back():
    lab_yaml = authored_files(SLUG)["lab.yaml"]
    rest, differential = authoring.split_differential(lab_yaml)
    assert "differential" not in rest and "depth: ethernet" in differential
    assert "compare: [action]" in differential
    merged = authoring.merge_differential(rest, differential)
    files = {**authored_files(SLUG), "lab.yaml": merged}
    assert authoring.validate(files, SLUG).traffic is not None
