"""The dashboard's server-rendered SVG charts: pass rate per lab and attempts needed to pass,
valid SVG whose bars follow the cohort's data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tests.builders import make_cohort, make_finished_run, make_instructor, make_lab

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def fetch_svg(client: Client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{SVG}svg"
    return root


def bar_widths(root: ET.Element) -> dict[str, float]:
    widths = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "bar":
            rects = group.findall(f"{SVG}rect")
            widths[group.get("data-lab", "")] = float(rects[1].get("width", "0"))
    return widths


def test_it_draws_pass_rates_in_proportion(learner, outsider, django_user_model):
    bob = django_user_model.objects.create_user("bob", "bob@example.org", "correct horse 4")
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner, bob)
    hello, fields = make_lab("hello-printk", order=1), make_lab("printk-fields", order=2)
    make_finished_run(learner, hello, passed=True)
    make_finished_run(bob, hello, passed=True)
    make_finished_run(bob, fields, passed=True)
    make_finished_run(outsider, fields, passed=True)  # not in the cohort
    client = Client()
    client.force_login(instructor)

    root = fetch_svg(client, f"/classroom/cohorts/{cohort.pk}/charts/pass-rate.svg")

    widths = bar_widths(root)
    assert set(widths) == {"hello-printk", "printk-fields"}
    assert widths["hello-printk"] == pytest.approx(2 * widths["printk-fields"])
    labels = "".join(root.itertext())
    assert "100% (2/2)" in labels and "50% (1/2)" in labels


def test_it_draws_how_many_attempts_passing_took(learner, django_user_model):
    bob = django_user_model.objects.create_user("bob", "bob@example.org", "correct horse 4")
    instructor = make_instructor()
    cohort = make_cohort(instructor, learner, bob)
    lab = make_lab()
    make_finished_run(learner, lab, passed=True)
    for _ in range(2):
        make_finished_run(bob, lab, passed=False)
    make_finished_run(bob, lab, passed=True)
    client = Client()
    client.force_login(instructor)

    root = fetch_svg(client, f"/classroom/cohorts/{cohort.pk}/charts/attempts.svg")

    columns = {
        g.get("data-bucket"): int(g.get("data-count", "0"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "column"
    }
    assert columns == {"1": 1, "2": 0, "3": 1, "4-5": 0, "6-9": 0, "10+": 0}
    heights = {
        g.get("data-bucket"): float(g.find(f"{SVG}rect").get("height", "0"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "column"
    }
    assert heights["1"] == heights["3"] > 0 and heights["2"] == 0
