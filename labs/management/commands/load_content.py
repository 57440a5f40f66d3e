"""`manage.py load_content`: the curriculum from CONTENT_DIR into the database.

Idempotent (run it after every content change); validates everything before writing and
writes everything in one transaction, so a broken file leaves the database as it was.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from labs.curriculum import lab_fields
from labs.models import AuthoredLab, Lab, Plan, Stage
from labs.spec import ContentError, Curriculum, load_curriculum


class Command(BaseCommand):
    help = "Load (or reload) the curriculum from CONTENT_DIR into the database."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--content-dir", default=str(settings.CONTENT_DIR))

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        try:
            curriculum = load_curriculum(Path(options["content_dir"]))
        except ContentError as error:
            raise CommandError(f"content not loaded: {error}") from error
        with transaction.atomic():
            counts = self._write(curriculum)
        self.stdout.write(
            f"loaded {counts['stages']} stages, {counts['labs']} labs, {counts['plans']} plans"
        )

    def _write(self, curriculum: Curriculum) -> dict[str, int]:
        slugs = []
        for stage_order, stage_spec in enumerate(curriculum.stages, start=1):
            stage, _ = Stage.objects.update_or_create(
                slug=stage_spec.slug,
                defaults={
                    "order": stage_order,
                    "title": stage_spec.title,
                    "summary": stage_spec.summary,
                },
            )
            for lab_order, slug in enumerate(stage_spec.labs, start=1):
                self._write_lab(curriculum.labs[slug], stage, lab_order)
                slugs.append(slug)
        # authored labs (labs/authoring.py) are not the curriculum's to switch off
        Lab.objects.exclude(slug__in=slugs).filter(authored__isnull=True).update(is_active=False)
        Stage.objects.exclude(slug__in=[s.slug for s in curriculum.stages]).filter(
            labs__isnull=True
        ).delete()
        for plan_order, plan in enumerate(curriculum.plans, start=1):
            Plan.objects.update_or_create(
                slug=plan.slug,
                defaults={
                    "order": plan_order,
                    "title": plan.title,
                    "description": plan.description,
                    "lab_slugs": plan.labs,
                    "days_per_lab": plan.pace_days_per_lab,
                },
            )
        return {
            "stages": len(curriculum.stages),
            "labs": len(slugs),
            "plans": len(curriculum.plans),
        }

    def _write_lab(self, spec, stage: Stage, order: int) -> None:  # type: ignore[no-untyped-def]
        if AuthoredLab.objects.filter(lab__slug=spec.slug).exists():
            raise CommandError(f"content not loaded: an instructor's lab is named {spec.slug}")
        Lab.objects.update_or_create(
            slug=spec.slug,
            defaults={"stage": stage, "order": order, **lab_fields(spec), "is_active": True},
        )
