"""`manage.py grant_instructor USERNAME [--revoke]`: lets a user create and teach cohorts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from labs.models import INSTRUCTORS_GROUP


class Command(BaseCommand):
    help = f"Add a user to the '{INSTRUCTORS_GROUP}' group (or remove them with --revoke)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true", help="take the role away")

    def handle(self, *args, **options) -> None:  # type: ignore[no-untyped-def]
        username = options["username"]
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        if options["revoke"]:
            user.groups.remove(group)
            self.stdout.write(f"{username} is no longer an instructor")
        else:
            user.groups.add(group)
            self.stdout.write(f"{username} is now an instructor")
