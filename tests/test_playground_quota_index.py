"""The anonymous quotas (labs/freeform.py) count one visitor's, or one embedding site's,
submissions of the last hour through an index, not by reading every submission: the
database's own plan, on a table where signed-in learners' submissions are most of it."""

from __future__ import annotations

import pytest
from django.db import connection

from labs.freeform import anonymous_runs_this_hour
from labs.models import Submission

pytestmark = pytest.mark.django_db

VISITORS, SITES, ANONYMOUS, SIGNED_IN = 100, 10, 1_000, 5_000


def fill_submissions(learner) -> None:  # type: ignore[no-untyped-def]
    Submission.objects.bulk_create(
        (Submission(user=learner, source="x") for _ in range(SIGNED_IN)), batch_size=5_000
    )
    Submission.objects.bulk_create(
        (
            Submission(
                source="x",
                via=Submission.EMBED,
                visitor=f"visitor-{n % VISITORS}",
                site=f"https://blog{n % SITES}.example.org",
            )
            for n in range(ANONYMOUS)
        ),
        batch_size=5_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE labs_submission")  # the planner's statistics, as autovacuum's


def test_it_counts_a_visitors_and_a_sites_runs_of_the_hour_through_indexes(learner):
    fill_submissions(learner)
    visitor = anonymous_runs_this_hour(visitor="visitor-7")
    site = anonymous_runs_this_hour(site="https://blog3.example.org")
    assert visitor.count() == ANONYMOUS // VISITORS and site.count() == ANONYMOUS // SITES
    assert "submission_visitor_recent" in visitor.explain()
    assert "submission_site_recent" in site.explain()
