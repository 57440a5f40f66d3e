"""`manage.py runstack` (behind `make run`): Redis if nothing listens on its port, one Celery
worker and the ASGI server; prints the URL and stops everything it started on Ctrl-C.
`PORT` and `BIND_HOST` pick where the site listens (`PORT=8001 make run` beside another)."""

from __future__ import annotations

import os
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from web import services
from web.env import envint


class Command(BaseCommand):
    help = "Run the whole site on one machine (Redis, Celery worker, ASGI server)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default=os.getenv("BIND_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=envint("PORT", "8000"))
        parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
        parser.add_argument(
            "--workers",
            type=int,
            default=envint("WEB_CONCURRENCY", "2"),
            help="web server processes",
        )

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        host, port = options["host"], options["port"]
        # Checked first: the wait for the web server below would take another server's
        # answer on the port for ours and print a URL that is not this site.
        if services.is_listening(host, port):
            raise CommandError(
                f"something already listens on {host}:{port} (another bpflab?); "
                f"pick a free port, e.g. PORT={port + 1} make run"
            )
        # The site's own address (the playground's visitors count as this site) follows the port.
        os.environ.setdefault("SITE_URL", f"http://{host}:{port}")
        services.ensure_kernel_filesystems()
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        started = []
        stopping = False

        def stop(signum, frame) -> None:  # type: ignore[no-untyped-def]
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            started = self._start_all(options, log_dir)
            url = f"http://{options['host']}:{options['port']}/"
            self.stdout.write(self.style.SUCCESS(f"bpflab is running at {url}  (Ctrl-C stops it)"))
            self.stdout.write(f"logs: {log_dir}/")
            while not stopping:
                for name, proc in started:
                    if proc.poll() is not None:
                        raise CommandError(
                            f"{name} exited with {proc.returncode}; see {log_dir}/{name}.log"
                        )
                time.sleep(0.5)
        finally:
            for name, proc in reversed(started):
                services.stop_process(proc)
                self.stdout.write(f"stopped {name}")

    def _start_all(self, options, log_dir):  # type: ignore[no-untyped-def]
        started = []
        host, port = services.redis_address()
        if not services.is_listening(host, port):
            started.append(
                (
                    "redis",
                    services.start_process(services.redis_command(port), log_dir / "redis.log"),
                )
            )
            if not services.wait_until(lambda: services.is_listening(host, port), 15):
                raise CommandError("redis-server did not start")
        worker = services.celery_command(options["concurrency"])
        started.append(("celery", services.start_process(worker, log_dir / "celery.log")))
        web = services.web_command(options["host"], options["port"], options["workers"])
        started.append(("web", services.start_process(web, log_dir / "web.log")))
        if not services.wait_until(
            lambda: services.is_listening(options["host"], options["port"]), 30
        ):
            raise CommandError(f"the web server did not start; see {log_dir}/web.log")
        return started
