"""`manage.py export_lab SLUG OUT [--lab-version N]`: an authored lab's files as a folder in the
`content/labs/<slug>/` format, or as a zip when OUT ends in .zip. Without --lab-version: the
published version (the working copy when it was never published)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from labs import authoring
from labs.models import AuthoredLab


def files_of(authored: AuthoredLab, number: int | None) -> dict[str, str]:
    if number is not None:
        version = authored.versions.filter(number=number).first()
        if version is None:
            raise CommandError(f"{authored.lab.slug} has no version {number}")
        return dict(version.files)
    return dict(authored.current.files if authored.current else authored.files)


class Command(BaseCommand):
    help = "Export an instructor's lab as a lab folder or a zip archive."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("slug")
        parser.add_argument("out")
        parser.add_argument("--lab-version", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        authored = AuthoredLab.objects.filter(lab__slug=options["slug"]).first()
        if authored is None:
            raise CommandError(f"no authored lab {options['slug']!r}")
        files = files_of(authored, options["lab_version"])
        out = Path(options["out"])
        if out.suffix == ".zip":
            out.write_bytes(authoring.archive(files, authored.lab.slug))
        else:
            folder = out / authored.lab.slug
            folder.mkdir(parents=True, exist_ok=True)
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8")
        self.stdout.write(f"{authored.lab.slug}: {len(files)} files written to {out}")
