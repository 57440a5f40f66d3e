"""The full path plan is what it says: every lab of the course, in the course's order (stage,
then lab), and its description counts them right, in both languages."""

from __future__ import annotations

import pytest

from labs.models import Lab, Plan

pytestmark = pytest.mark.django_db

ENGLISH = {19: "nineteen", 20: "twenty", 21: "twenty-one", 22: "twenty-two", 23: "twenty-three"}
CHINESE = {19: "十九", 20: "二十", 21: "二十一", 22: "二十二", 23: "二十三"}


def test_it_holds_every_lab_in_course_order(content) -> None:
    course = list(Lab.objects.order_by("stage__order", "order").values_list("slug", flat=True))

    assert Plan.objects.get(slug="full-path").lab_slugs == course


def test_it_counts_the_labs_in_its_description(content) -> None:
    plan = Plan.objects.get(slug="full-path")
    count = len(plan.lab_slugs)

    assert f"All {ENGLISH[count]} labs" in plan.description["en"]
    assert f"全部{CHINESE[count]}个实验" in plan.description["zh-hans"]
