"""The authoring pages: create, edit (validated as you type, with a sanitised preview),
share, download and upload; nobody but the lab's authors gets in."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from labs import authoring
from labs.models import AuthoredLab, Lab
from tests.builders import authored_files, make_authored_lab, make_cohort, make_instructor

pytestmark = pytest.mark.django_db

SLUG = "course-drop-all"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(files: dict[str, str]) -> dict[str, str]:
    lab_yaml, differential = authoring.split_differential(files["lab.yaml"])
    return {**files, "lab.yaml": lab_yaml, "differential": differential}


def test_it_creates_a_lab_that_loads_from_the_new_lab_template():
    instructor = make_instructor()
    response = _client(instructor).post(reverse("authoring:create"), {"slug": "my-first-lab"})
    assert response.status_code == 302
    authored = AuthoredLab.objects.get(lab__slug="my-first-lab")
    authoring.validate(authored.files, "my-first-lab")
    page = _client(instructor).get(reverse("authoring:edit", args=["my-first-lab"]))
    assert "The lab loads" in page.content.decode()
    assert not authored.lab.is_active


def test_it_refuses_a_name_taken_by_the_curriculum(content):
    instructor = make_instructor()
    response = _client(instructor).post(
        reverse("authoring:create"), {"slug": "xdp-drop-all"}, follow=True
    )
    assert "exists already" in response.content.decode()


def test_it_names_the_field_at_fault_as_you_type_and_previews_sanitised():
    instructor = make_instructor()
    make_authored_lab(instructor, SLUG)
    files = _form(authored_files(SLUG))
    files["lab.yaml"] = files["lab.yaml"].replace("program_type: xdp", "program_type: xdpp")
    files["lesson.en.md"] = "# Title\n\n<img src=x onerror=alert(1)> **bold**\n"
    answer = _client(instructor).post(reverse("authoring:validate", args=[SLUG]), files).json()
    assert answer["ok"] is False
    assert answer["problem"]["file"] == "lab.yaml" and answer["problem"]["field"] == "program_type"
    assert "<strong>bold</strong>" in answer["previews"]["en"]
    assert "onerror" not in answer["previews"]["en"]


def test_it_saves_the_editor_with_the_differential_settings_in_lab_yaml():
    instructor = make_instructor()
    make_authored_lab(instructor, SLUG)
    files = _form(authored_files(SLUG))
    files["differential"] = "compare: [action]\ndepth: ethernet\nframes: 40\n"
    _client(instructor).post(reverse("authoring:edit", args=[SLUG]), files)
    saved = AuthoredLab.objects.get(lab__slug=SLUG).files
    assert authoring.validate(saved, SLUG).traffic.frames == 40


def test_it_keeps_learners_and_other_instructors_out(learner):
    instructor = make_instructor()
    make_authored_lab(instructor, SLUG)
    assert _client(learner).get(reverse("authoring:edit", args=[SLUG])).status_code == 404
    assert _client(learner).get(reverse("authoring:index")).status_code == 403
    assert (
        _client(make_instructor("otto")).get(reverse("authoring:edit", args=[SLUG])).status_code
        == 404
    )
    assert (
        _client(make_instructor("otto2"))
        .get(reverse("authoring:download", args=[SLUG]))
        .status_code
        == 404
    )


def test_it_lets_the_owner_share_and_a_co_instructor_edit_but_not_share(learner):
    instructor, cora = make_instructor(), make_instructor("cora")
    cohort = make_cohort(instructor, learner)
    make_authored_lab(instructor, SLUG)
    owner = _client(instructor)
    owner.post(
        reverse("authoring:sharing", args=[SLUG]),
        {"cohorts": [cohort.pk], "co_instructors": "cora"},
    )
    authored = AuthoredLab.objects.get(lab__slug=SLUG)
    assert list(authored.cohorts.all()) == [cohort]
    assert list(authored.co_instructors.all()) == [cora]
    assert _client(cora).get(reverse("authoring:edit", args=[SLUG])).status_code == 200
    refused = _client(cora).post(reverse("authoring:sharing", args=[SLUG]), {"co_instructors": ""})
    assert refused.status_code == 403


def test_it_downloads_and_uploads_an_archive():
    instructor = make_instructor()
    make_authored_lab(instructor, SLUG)
    data = _client(instructor).get(reverse("authoring:download", args=[SLUG])).content
    Lab.objects.filter(slug=SLUG).delete()
    upload = io.BytesIO(data)
    upload.name = f"{SLUG}.zip"
    response = _client(instructor).post(reverse("authoring:upload"), {"archive": upload})
    assert response.status_code == 302
    assert AuthoredLab.objects.get(lab__slug=SLUG).files == authored_files(SLUG)


def test_it_refuses_a_bad_upload_with_a_clear_error():
    instructor = make_instructor()
    files = authored_files(SLUG)
    files["lesson.en.md"] = "<script>steal()</script>\n"
    upload = io.BytesIO(authoring.archive(files, SLUG))
    upload.name = "lab.zip"
    response = _client(instructor).post(
        reverse("authoring:upload"), {"archive": upload}, follow=True
    )
    assert "lesson.en.md: a lesson may not contain &lt;script&gt; tags" in response.content.decode()
    assert not AuthoredLab.objects.exists()


def test_it_lets_only_staff_promote_a_lab(django_user_model):
    instructor = make_instructor()
    make_authored_lab(instructor, SLUG)
    url = reverse("authoring:promote", args=[SLUG])
    assert _client(instructor).post(url, {"promoted": "1"}).status_code == 403
    staff = django_user_model.objects.create_user(
        "sam", "sam@example.org", "pw 12345 x", is_staff=True
    )
    assert _client(staff).get(reverse("authoring:index")).status_code == 200
    _client(staff).post(url, {"promoted": "1"})
    assert AuthoredLab.objects.get(lab__slug=SLUG).promoted


def test_it_leaves_no_folder_behind_when_checking_as_you_type(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    instructor = make_instructor()
    make_authored_lab(instructor, SLUG)
    for frames in range(10, 15):
        files = _form(authored_files(SLUG))
        files["differential"] += f"frames: {frames}\n"
        answer = _client(instructor).post(reverse("authoring:validate", args=[SLUG]), files).json()
        assert answer["ok"], answer
    assert list(tmp_path.iterdir()) == []


def test_it_runs_one_self_check_at_a_time():
    instructor = make_instructor()
    authored = make_authored_lab(instructor, SLUG)
    first = _client(instructor).post(reverse("authoring:self_check", args=[SLUG]))
    assert "/self-check/" in first["Location"]
    again = _client(instructor).post(reverse("authoring:self_check", args=[SLUG]), follow=True)
    assert "still running" in again.content.decode()
    assert authored.versions.count() == 1


def test_it_shows_authored_labs_and_versions_in_the_admin(django_user_model):
    admin_user = django_user_model.objects.create_superuser(
        "root", "root@example.org", "pw 12345 x"
    )
    make_authored_lab(make_instructor(), SLUG)
    client = _client(admin_user)
    assert SLUG in client.get("/admin/labs/authoredlab/").content.decode()
    assert client.get("/admin/labs/labversion/").status_code == 200
