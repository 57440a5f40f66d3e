"""An authored lab is seen by its author, its co-instructors and the cohorts it is attached
to; never in another cohort's catalogue; everyone's once staff promote it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from labs import authoring
from labs.classroom import cohort_labs
from labs.models import Lab
from tests.builders import make_authored_lab, make_cohort, make_instructor

pytestmark = pytest.mark.django_db

SLUG = "course-drop-all"


@pytest.fixture
def people(django_user_model, learner, outsider):
    instructor = make_instructor("ingrid")
    co_instructor = make_instructor("cora")
    stranger = django_user_model.objects.create_user("sven", "sven@example.org", "pw 12345 x")
    ours = make_cohort(instructor, learner, name="Ours")
    theirs = make_cohort(make_instructor("otto"), stranger, name="Theirs")
    authored = make_authored_lab(instructor, SLUG)
    authored.cohorts.add(ours)
    authored.co_instructors.add(co_instructor)
    # published: what the self-check would leave (the real one is tested end to end)
    Lab.objects.filter(pk=authored.lab_id).update(is_active=True, title={"en": "Course drop"})
    return {
        "instructor": instructor,
        "co_instructor": co_instructor,
        "learner": learner,
        "stranger": stranger,
        "outsider": outsider,
        "ours": ours,
        "theirs": theirs,
        "authored": authored,
    }


def _sees(user, slug: str = SLUG) -> tuple[bool, int]:
    client = Client()
    if user is not None:
        client.force_login(user)
    catalogue = client.get(reverse("home")).content.decode()
    page = client.get(reverse("lab", args=[slug]))
    return reverse("lab", args=[slug]) in catalogue, page.status_code


def test_it_shows_the_lab_to_its_people_only(people):
    assert _sees(people["instructor"]) == (True, 200)
    assert _sees(people["co_instructor"]) == (True, 200)
    assert _sees(people["learner"]) == (True, 200)
    assert _sees(people["stranger"]) == (False, 404)
    assert _sees(people["outsider"]) == (False, 404)
    assert _sees(None) == (False, 404)


def test_it_puts_the_lab_on_its_cohorts_grid_only(people):
    assert SLUG in [lab.slug for lab in cohort_labs(people["ours"])]
    assert SLUG not in [lab.slug for lab in cohort_labs(people["theirs"])]


def test_it_lets_staff_promote_the_lab_to_everyone(people):
    people["authored"].promoted = True
    people["authored"].save()
    assert _sees(people["stranger"]) == (True, 200)
    assert SLUG in [lab.slug for lab in cohort_labs(people["theirs"])]


def test_it_hides_an_unpublished_lab_even_from_its_cohort(people):
    Lab.objects.filter(slug=SLUG).update(is_active=False)
    assert _sees(people["learner"]) == (False, 404)


def test_it_lets_only_authors_edit(people):
    authored = people["authored"]
    assert authoring.can_edit(people["instructor"], authored)
    assert authoring.can_edit(people["co_instructor"], authored)
    assert not authoring.can_edit(people["learner"], authored)
    assert not authoring.can_edit(make_instructor("otto2"), authored)


def test_it_keeps_load_content_off_authored_labs(people, content):
    assert Lab.objects.get(slug=SLUG).is_active


def test_it_opens_the_lab_to_its_cohort_without_the_curriculum_before_it(people, content):
    client = Client()
    client.force_login(people["learner"])
    catalogue = client.get(reverse("home")).content.decode()
    card = catalogue[catalogue.index(f'data-lab="{SLUG}"') - 200 :][:400]
    assert "locked" not in card
    assert "This lab unlocks when" not in client.get(reverse("lab", args=[SLUG])).content.decode()


def test_it_keeps_other_cohorts_lab_titles_off_a_dashboard(people, content):
    client = Client()
    client.force_login(people["theirs"].instructor)
    page = client.get(reverse("classroom:dashboard", args=[people["theirs"].pk])).content.decode()
    assert "Course drop" not in page
    client.force_login(people["instructor"])
    page = client.get(reverse("classroom:dashboard", args=[people["ours"].pk])).content.decode()
    assert "Course drop" in page
