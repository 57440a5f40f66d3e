"""`manage.py import_lab PATH --owner USER [--publish]`: a lab folder (or a zip of one, as
the site's download gives) becomes an authored lab, or the new working copy of one.

`--publish` self-checks it on this site's sandbox (check_content's rules) and publishes a
new version when the check passes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from labs import authoring
from labs.management.commands.grade import BACKENDS


def read_lab(path: Path) -> tuple[str, dict[str, str]]:
    if path.is_dir():
        return path.name, authoring.read_folder(path)
    if path.is_file():
        return authoring.read_archive(path.read_bytes())
    raise CommandError(f"{path}: no such folder or archive")


def owner_named(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user {username!r}")
    return user


def publish(command: BaseCommand, authored: Any, user: Any, backend: str) -> None:
    version, result = authoring.publish_checked(authored, user, backend)
    if version is None:
        raise CommandError(
            f"{authored.lab.slug}: self-check failed, not published: solution "
            f"{'passes' if result['solution_passed'] else 'FAILS: ' + result['solution_summary']}"
            f", starter {'fails' if result['starter_failed'] else 'DOES NOT FAIL'}"
            f", reference agrees with itself: {result['reference_agrees']}"
        )
    command.stdout.write(f"{authored.lab.slug}: published version {version.number}")


class Command(BaseCommand):
    help = "Import a lab folder or zip archive as an instructor's lab."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("path")
        parser.add_argument("--owner", required=True, help="the instructor who owns it")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--backend", choices=BACKENDS, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user = owner_named(options["owner"])
        try:
            slug, files = read_lab(Path(options["path"]))
            authored = authoring.import_files(user, slug, files)
        except authoring.AuthoringError as error:
            raise CommandError(f"not imported: {error.message}") from error
        self.stdout.write(f"{slug}: imported ({len(files)} files)")
        if options["publish"]:
            publish(self, authored, user, options["backend"] or settings.SANDBOX_BACKEND)
