"""`manage.py sync_labs REPO --owner USER [--ref BRANCH] [--publish]`: a course keeps its labs
in a Git repository, one folder per lab under `labs/` (or at the top); each becomes (or
updates) an authored lab. A lab that does not validate is reported and skipped; the others
still sync. With --publish, each changed lab is self-checked and published when it passes.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from labs import authoring
from labs.management.commands.grade import BACKENDS
from labs.management.commands.import_lab import owner_named, publish

CLONE_TIMEOUT_S = 120


def clone(repo: str, ref: str | None, into: Path) -> None:
    command = ["git", "clone", "--quiet", "--depth", "1"]
    if ref:
        command += ["--branch", ref]
    try:
        subprocess.run(
            [*command, "--", repo, str(into)],
            check=True,
            capture_output=True,
            text=True,
            timeout=CLONE_TIMEOUT_S,
        )
    except subprocess.CalledProcessError as error:
        raise CommandError(f"could not clone {repo}: {error.stderr.strip()}") from error
    except subprocess.TimeoutExpired as error:
        raise CommandError(f"could not clone {repo} in {CLONE_TIMEOUT_S} s") from error


def lab_folders(root: Path) -> list[Path]:
    base = root / "labs" if (root / "labs").is_dir() else root
    return sorted(p for p in base.iterdir() if (p / "lab.yaml").is_file())


class Command(BaseCommand):
    help = "Sync the labs of a Git-hosted course repository into authored labs."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("repo", help="a git URL or path")
        parser.add_argument("--owner", required=True)
        parser.add_argument("--ref", default=None, help="branch or tag (default: HEAD)")
        parser.add_argument("--publish", action="store_true")
        parser.add_argument("--backend", choices=BACKENDS, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        user = owner_named(options["owner"])
        failed = 0
        with tempfile.TemporaryDirectory(prefix="bpflab-sync-") as tmp:
            root = Path(tmp) / "repo"
            clone(options["repo"], options["ref"], root)
            for folder in lab_folders(root):
                failed += not self._sync(folder, user, options)
        if failed:
            raise CommandError(f"{failed} lab(s) not synced")

    def _sync(self, folder: Path, user: Any, options: dict[str, Any]) -> bool:
        try:
            files = authoring.read_folder(folder)
            existing = authoring.AuthoredLab.objects.filter(lab__slug=folder.name).first()
            unchanged = (
                existing is not None
                and existing.current is not None
                and (existing.current.content_hash == authoring.files_hash(files))
            )
            authored = authoring.import_files(user, folder.name, files, origin=options["repo"])
        except authoring.AuthoringError as error:
            self.stderr.write(f"{folder.name}: not synced: {error.message}")
            return False
        self.stdout.write(f"{folder.name}: {'unchanged' if unchanged else 'synced'}")
        if options["publish"] and not unchanged:
            try:
                publish(self, authored, user, options["backend"] or settings.SANDBOX_BACKEND)
            except CommandError as error:
                self.stderr.write(str(error))
                return False
        return True
