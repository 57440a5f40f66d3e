"""`manage.py services up`: make sure Redis, PostgreSQL (when DATABASE_URL names one on this
machine) and, where it can run, dockerd are up, and the kernel filesystems the sandbox needs
are mounted. Leaves them running (used by `make test`)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from web import postgres, services


class Command(BaseCommand):
    help = "Start the background services tests and workers need (Redis, PostgreSQL, dockerd)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["up"])
        parser.add_argument("--no-docker", action="store_true")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        services.ensure_kernel_filesystems()
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        host, port = services.redis_address()
        if not services.is_listening(host, port):
            if host not in ("127.0.0.1", "localhost"):
                raise CommandError(f"Redis at {settings.REDIS_URL} does not answer")
            services.start_process(services.redis_command(port), log_dir / "redis.log")
            if not services.wait_until(lambda: services.is_listening(host, port), 15):
                raise CommandError(f"redis-server did not start; see {log_dir / 'redis.log'}")
            self.stdout.write(f"started redis-server on {host}:{port}")
        database_url = os.getenv("DATABASE_URL", "")
        if postgres.is_postgres_url(database_url):
            try:
                self.stdout.write(postgres.ensure_server(database_url, log_dir / "postgres.log"))
            except postgres.PostgresError as error:
                raise CommandError(str(error)) from None
        if not options["no_docker"]:
            self.stdout.write(services.ensure_docker(log_dir / "dockerd.log"))
