"""`manage.py bench_site [--json]`: the site's benchmarks (see web/bench.py). Run it against a
database of its own, as `make bench` does; it creates users and runs there."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand

from web import bench


class Command(BaseCommand):
    help = (
        "Benchmark the lesson page, trace-to-websocket latency, submit-to-verdict latency, "
        "the time generated traffic adds to a grading, and worker memory."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true", help="end with the JSON result line")
        parser.add_argument("--seconds", type=int, default=10, help="load per wrk measurement")
        parser.add_argument("--trace-runs", type=int, default=10)
        parser.add_argument("--memory-runs", type=int, default=1000)
        parser.add_argument("--differential-runs", type=int, default=15)
        parser.add_argument("--e2e-runs", type=int, default=20, help="submit -> verdict runs")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            choices=bench.PARTS,
            help="measure only this part (repeatable); default: every part",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        settings.RUNS_PER_MINUTE = 10_000  # the bench is not a learner
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        result = bench.run_all(
            options["seconds"],
            options["trace_runs"],
            options["memory_runs"],
            log_dir,
            options["differential_runs"],
            e2e_runs=options["e2e_runs"],
            only=tuple(options["only"]),
        )
        for part, values in result.items():
            if isinstance(values, dict):
                shown = ", ".join(f"{k}={v}" for k, v in values.items())
                self.stdout.write(f"{part:20} {shown}")
        if options["json"]:
            self.stdout.write(json.dumps(result))
