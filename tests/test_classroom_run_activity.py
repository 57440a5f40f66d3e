"""A real run of a cohort member, graded in the sandbox by the runner, shows up on the
instructor's activity feed when it starts and when it finishes, and on the grid after."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from labs import classroom
from labs.models import Lab
from tests.builders import execute_run_in_a_thread, make_cohort, make_instructor, make_run
from web.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def session_headers(user) -> list[tuple[bytes, bytes]]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    session_id = client.cookies["sessionid"].value
    return [(b"cookie", f"sessionid={session_id}".encode()), (b"origin", b"http://127.0.0.1")]


def setup_cohort_run(learner, source_of):  # type: ignore[no-untyped-def]
    cohort = make_cohort(make_instructor(), learner)
    lab = Lab.objects.get(slug="hello-printk")
    return cohort, make_run(learner, lab, source=source_of(lab))


@pytest.mark.parametrize(
    ("source_of", "passed", "failure"),
    [(lambda lab: lab.solution, True, None), (lambda lab: "int main( {", False, "compile")],
)
async def test_it_announces_a_real_run_starting_and_finishing(
    content, learner, source_of, passed, failure
):
    cohort, run = await sync_to_async(setup_cohort_run)(learner, source_of)
    headers = await sync_to_async(session_headers)(cohort.instructor)
    feed = WebsocketCommunicator(application, f"/ws/cohorts/{cohort.pk}/activity/", headers=headers)
    connected, _ = await feed.connect()
    assert connected
    replayed = await feed.receive_json_from(timeout=5)  # the queued run, from the database
    assert replayed["replay"] and replayed["status"] == "queued"

    await sync_to_async(execute_run_in_a_thread, thread_sensitive=False)(run.pk)

    started = await feed.receive_json_from(timeout=30)
    finished = await feed.receive_json_from(timeout=30)
    assert (started["run"], started["status"], started["replay"]) == (run.pk, "compiling", False)
    assert (finished["run"], finished["status"]) == (run.pk, "done")
    assert finished["passed"] is passed and finished["failure"] == failure
    await feed.disconnect()

    grid = await sync_to_async(classroom.build_grid)(cohort)
    cell = next(c for c in grid.rows[0].cells if c.lab.slug == "hello-printk")
    assert (cell.status, cell.attempts) == ("passed" if passed else "attempted", 1)
