"""Which kernel a run gets: the kernels a site offers, the lab page's picker, and the
defaults (the learner's cohort's, set by its instructor; the lab's; the site's), never
below the lab's oldest kernel."""

from __future__ import annotations

import pytest

from labs import kernels
from labs.models import Run
from sandbox import image as vm_image
from tests.builders import built_kernel_images, make_cohort, make_instructor, make_lab

pytestmark = pytest.mark.django_db
SOURCE = "#include <linux/bpf.h>\nint x;\n"
ALL_BUILT = ["6.1", "6.12", "7.2", "7.3"]


@pytest.fixture(scope="module", autouse=True)
def images() -> None:
    built_kernel_images()


@pytest.fixture
def microvm(settings):  # type: ignore[no-untyped-def]
    settings.SANDBOX_BACKEND = "microvm"
    settings.SANDBOX_KERNELS = []
    settings.SANDBOX_DEFAULT_KERNEL = ""
    return settings


def test_it_offers_every_kernel_that_built_on_the_microvm_backend(microvm) -> None:
    assert kernels.offered() == ALL_BUILT
    microvm.SANDBOX_KERNELS = ["7.3", "6.12", "9.9"]
    assert kernels.offered() == ["6.12", "7.3"]
    microvm.SANDBOX_BACKEND = "local"
    assert kernels.offered() == []


def test_it_picks_the_cohorts_kernel_then_the_labs_then_the_sites(
    microvm, learner, outsider
) -> None:
    lab = make_lab(default_kernel="6.12")
    plain = make_lab("xdp-drop-all")
    cohort = make_cohort(make_instructor(), learner)
    cohort.default_kernel = "7.2"
    cohort.save()

    assert kernels.default_for(learner, lab) == "7.2"
    assert kernels.default_for(outsider, lab) == "6.12"
    assert kernels.default_for(outsider, plain) == "6.1"
    microvm.SANDBOX_DEFAULT_KERNEL = "7.3"
    assert kernels.default_for(outsider, plain) == "7.3"


def test_it_never_defaults_below_the_labs_oldest_kernel(microvm, learner) -> None:
    lab = make_lab(min_kernel="6.12")
    cohort = make_cohort(make_instructor(), learner)
    cohort.default_kernel = "6.1"
    cohort.save()

    assert kernels.default_for(learner, lab) == "6.12"


def test_it_records_the_kernel_picked_on_the_lab_page(microvm, client, learner) -> None:
    microvm.MAX_CONCURRENT_RUNS = 10
    make_lab()
    client.force_login(learner)

    client.post("/labs/hello-printk/run/", {"source": SOURCE, "kernel": "7.3"})
    client.post("/labs/hello-printk/run/", {"source": SOURCE + "\n", "all_kernels": "1"})
    client.post("/labs/hello-printk/run/", {"source": SOURCE + "\n\n"})

    assert list(Run.objects.order_by("pk").values_list("kernel", flat=True)) == [
        "7.3",
        kernels.ALL,
        "6.1",
    ]


def test_it_refuses_a_kernel_the_site_does_not_offer(microvm, client, learner) -> None:
    make_lab()
    microvm.SANDBOX_KERNELS = ["6.1", "6.12"]
    client.force_login(learner)

    response = client.post("/labs/hello-printk/run/", {"source": SOURCE, "kernel": "7.3"})

    assert response.status_code == 400
    assert "offers no kernel 7.3 (it offers 6.1, 6.12)" in response.content.decode()
    assert not Run.objects.exists()


def test_it_shows_the_picker_and_the_labs_oldest_kernel(microvm, client, learner) -> None:
    make_lab(min_kernel="6.12")
    client.force_login(learner)

    html = client.get("/labs/hello-printk/").content.decode()

    assert 'data-testid="kernel-picker"' in html and 'data-testid="run-all-kernels"' in html
    assert '<option value="6.12" selected>6.12</option>' in html.replace(" (default)", "")
    assert "6.1 (too old for this lab)" in html
    assert "This lab needs Linux 6.12 or newer" in html


def test_it_shows_no_picker_where_runs_use_the_hosts_kernel(settings, client, learner) -> None:
    settings.SANDBOX_BACKEND = "local"
    make_lab(min_kernel="6.12")
    client.force_login(learner)

    html = client.get("/labs/hello-printk/").content.decode()

    assert 'data-testid="kernel-picker"' not in html
    assert "This lab needs Linux 6.12 or newer" in html


def test_it_lets_the_instructor_set_the_cohorts_kernel(microvm, client, learner) -> None:
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner)
    client.force_login(instructor)

    page = client.get(f"/classroom/cohorts/{cohort.pk}/").content.decode()
    response = client.post(f"/classroom/cohorts/{cohort.pk}/kernel/", {"kernel": "7.2"})

    assert 'data-testid="cohort-kernel"' in page
    assert 'class="button button-small" data-testid="cohort-kernel-save"' in page  # styled
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.default_kernel == "7.2"
    assert kernels.default_for(learner, make_lab()) == "7.2"


def test_it_keeps_other_people_from_setting_a_cohorts_kernel(microvm, client, learner) -> None:
    cohort = make_cohort(make_instructor(), learner)
    client.force_login(learner)

    response = client.post(f"/classroom/cohorts/{cohort.pk}/kernel/", {"kernel": "7.2"})

    assert response.status_code in (403, 404)
    cohort.refresh_from_db()
    assert cohort.default_kernel == ""


@pytest.fixture
def staff_client(client, django_user_model):  # type: ignore[no-untyped-def]
    """/healthz names its parts' details (the kernels here) to staff only."""
    staff = django_user_model.objects.create_user("sam", "sam@example.org", "x", is_staff=True)
    client.force_login(staff)
    return client


def test_it_lists_the_kernels_on_healthz(microvm, staff_client) -> None:
    client = staff_client
    microvm.SANDBOX_KERNELS = ["6.1", "7.3"]

    part = client.get("/healthz").json()["kernels"]

    assert part["ok"] is True
    assert part["offered"] == ["6.1", "7.3"]
    assert list(part["built"]) == ALL_BUILT
    assert part["built"]["6.12"] == vm_image.built_kernels()["6.12"].kernel_release
    assert "offered: 6.1, 7.3 (default 6.1)" in part["detail"]


def test_it_tells_anyone_on_healthz_which_kernels_a_run_may_pick(microvm, client) -> None:
    microvm.SANDBOX_KERNELS = ["6.1", "7.3"]

    part = client.get("/healthz").json()["kernels"]

    assert part == {"ok": True, "offered": ["6.1", "7.3"]}  # no releases, no detail


def test_it_says_on_healthz_when_a_listed_kernel_is_not_built(microvm, staff_client) -> None:
    client = staff_client
    microvm.SANDBOX_KERNELS = ["6.1", "5.10"]

    part = client.get("/healthz").json()["kernels"]

    assert part["ok"] is False and "not built: 5.10" in part["detail"]
