"""Labs instructors write in the site (issue 16): validating a lab's files, the folder a
version is graded from, versions, self-checks, publishing, re-grading and who sees what.

A lab is the same folder as `content/labs/<slug>/`, held as {file name: text}. Every
version is frozen; the worker grades a run from the files of the version it records
(`Run.lab_version`), written once into a folder named after their hash.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from labs.curriculum import lab_fields
from labs.models import AuthoredLab, Lab, LabVersion, Run, Stage, Submission
from labs.spec import LANGUAGES, ContentError, LabSpec, load_lab

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")
# The files of a lab folder (docs/lab-format.md); nothing else is accepted.
FILE_NAME = re.compile(
    r"^(lab\.yaml|solution\.c|starter\.c|starter\.(en|zh-hans)\.c"
    r"|lesson\.(en|zh-hans)\.md|hints\.(en|zh-hans)\.yaml)$"
)
REQUIRED = ("lab.yaml", "starter.c", "solution.c")
# Where the lessons and hints are in one language only, the other shows the same text.
PROSE = {"lesson": "lesson.{}.md", "hints": "hints.{}.yaml"}
AUTHORED_STAGE = "cohort-labs"
AUTHORED_STAGE_TITLE = {"en": "Labs from your instructors", "zh-hans": "导师编写的实验"}
AUTHORED_STAGE_ORDER = 10_000

_cache_lock = threading.Lock()
_specs: dict[str, LabSpec] = {}


class AuthoringError(Exception):
    """A lab's files are not a lab. `file` and `field` say where (empty: the whole lab)."""

    def __init__(self, message: str, file: str = "", field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.field = field

    def to_dict(self) -> dict[str, str]:
        return {"message": self.message, "file": self.file, "field": self.field}


# ---------------------------------------------------------------------------------------
# files -> a validated lab


def files_hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def check_limits(files: dict[str, str]) -> None:
    total = 0
    for name, text in files.items():
        if not FILE_NAME.match(name):
            raise AuthoringError(_("%(name)s is not a file of a lab folder") % {"name": name}, name)
        size = len(text.encode())
        total += size
        if size > settings.AUTHORED_FILE_BYTES:
            message = _("%(name)s is %(size)d bytes; the limit is %(limit)d bytes")
            limit = settings.AUTHORED_FILE_BYTES
            raise AuthoringError(message % {"name": name, "size": size, "limit": limit}, name)
    if total > settings.AUTHORED_LAB_BYTES:
        message = _("the lab is %(size)d bytes; the limit is %(limit)d bytes")
        raise AuthoringError(message % {"size": total, "limit": settings.AUTHORED_LAB_BYTES})
    for name in REQUIRED:
        if not files.get(name, "").strip():
            raise AuthoringError(_("%(name)s is missing") % {"name": name}, name)


def _refuse_aliases(name: str, text: str) -> None:
    """YAML anchors and aliases let a few lines stand for billions of nodes (a YAML bomb);
    a lab never needs them."""
    try:
        for token in yaml.scan(text):
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                raise AuthoringError(
                    _("%(name)s: YAML anchors and aliases (& and *) are not allowed")
                    % {"name": name},
                    name,
                )
    except yaml.YAMLError as error:
        raise AuthoringError(f"{name}: {error}", name) from error


# Raw HTML script in the Markdown (not inside code, where it is escaped as text).
_SCRIPT = re.compile(r"<\s*script\b", re.I)


def _refuse_script(name: str, text: str) -> None:
    import markdown

    from web.pages.lessons import EXTENSION_CONFIGS, EXTENSIONS

    html = markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    if _SCRIPT.search(html):
        message = _("%(name)s: a lesson may not contain <script> tags (lessons are sanitised)")
        raise AuthoringError(message % {"name": name}, name)


def completed(files: dict[str, str]) -> dict[str, str]:
    """The folder's files: a lesson or hints written in one language stand in for the other."""
    full = dict(files)
    for pattern in PROSE.values():
        written = [
            full[pattern.format(lang)]
            for lang in LANGUAGES
            if full.get(pattern.format(lang), "").strip()
        ]
        for lang in LANGUAGES:
            name = pattern.format(lang)
            if not full.get(name, "").strip() and written:
                full[name] = written[0]
    return {name: text for name, text in full.items() if text.strip()}


def _folder(files: dict[str, str], slug: str) -> Path:
    """The files written once into <tmp>/bpflab-authored/<hash>/<slug>/ (read-only after)."""
    base = Path(tempfile.gettempdir()) / "bpflab-authored"
    root = base / files_hash(files)
    folder = root / slug
    if (root / ".complete").exists():
        return folder
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=base))
    (staging / slug).mkdir()
    for name, text in files.items():
        (staging / slug / name).write_text(text, encoding="utf-8")
    (staging / ".complete").write_text("")
    try:
        staging.rename(root)
    except OSError:  # another process wrote the same files first
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _content_error(error: ContentError, folder: Path) -> AuthoringError:
    text = str(error).replace(f"{folder}/", "").replace(str(folder), "")
    match = re.match(r"^([\w.\-]+): (?:([\w\[\].\-]+): )?(.*)$", text, re.S)
    if not match:
        return AuthoringError(text)
    return AuthoringError(text, match.group(1), match.group(2) or "")


def _solution_names_maps(spec: LabSpec, files: dict[str, str]) -> None:
    """A map the checks read must exist in the reference, or every run would fail later."""
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", files["solution.c"], flags=re.S)
    for i, name in enumerate(m.name for m in spec.maps):
        if not re.search(rf"\b{re.escape(name)}\b", code):
            message = _("lab.yaml: maps[%(i)d].name: the solution defines no map %(name)s")
            raise AuthoringError(message % {"i": i, "name": name}, "lab.yaml", f"maps[{i}].name")


def validate(files: dict[str, str], slug: str, keep: bool = False) -> LabSpec:
    """The lab the files make, with its prose, or AuthoringError naming the file and field.

    `keep`: the spec's folder stays (a version's, graded from and hashed at publishing);
    else it is removed once loaded (the editor asks on every pause in typing)."""
    _check_slug(slug)
    check_limits(files)
    for name, text in files.items():
        if name.endswith(".yaml"):
            _refuse_aliases(name, text)
        if name.endswith(".md"):
            _refuse_script(name, text)
    full = completed(files)
    for pattern in PROSE.values():
        if not any(full.get(pattern.format(lang)) for lang in LANGUAGES):
            name = pattern.format("en")
            raise AuthoringError(_("%(name)s is missing") % {"name": name}, name)
    if keep:
        spec = _load(_folder(full, slug))
    else:
        with tempfile.TemporaryDirectory(prefix="bpflab-lab-") as tmp:
            folder = Path(tmp) / slug
            folder.mkdir()
            for name, text in full.items():
                (folder / name).write_text(text, encoding="utf-8")
            spec = _load(folder)
    _solution_names_maps(spec, full)
    return spec


def _load(folder: Path) -> LabSpec:
    try:
        return load_lab(folder)
    except ContentError as error:
        raise _content_error(error, folder) from error


def spec_for_version(version: LabVersion) -> LabSpec:
    """What the worker grades a run of this version against (cached by the files' hash)."""
    key = version.content_hash
    with _cache_lock:
        spec = _specs.get(key)
    if spec is None:
        spec = validate(version.files, version.authored.lab.slug, keep=True)
        with _cache_lock:
            _specs[key] = spec
    return spec


# ---------------------------------------------------------------------------------------
# the differential settings, edited on their own but kept in lab.yaml


def split_differential(lab_yaml: str) -> tuple[str, str]:
    """lab.yaml without its top-level `differential:` block, and that block's body."""
    lines = lab_yaml.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"^differential:\s*(#.*)?$", line)), None
    )
    if start is None:
        return lab_yaml, ""
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "#")):
        end += 1
    body = "\n".join(line[2:] if line.startswith("  ") else line for line in lines[start + 1 : end])
    rest = lines[:start] + lines[end:]
    return "\n".join(rest).rstrip() + "\n", body.strip("\n") + "\n"


def merge_differential(lab_yaml: str, differential: str) -> str:
    if not differential.strip():
        return lab_yaml
    body = "\n".join(
        f"  {line}" if line.strip() else "" for line in differential.strip("\n").splitlines()
    )
    return f"{lab_yaml.rstrip()}\ndifferential:\n{body}\n"


# ---------------------------------------------------------------------------------------
# authored labs in the database


def authored_stage() -> Stage:
    stage, _created = Stage.objects.get_or_create(
        slug=AUTHORED_STAGE,
        defaults={"order": AUTHORED_STAGE_ORDER, "title": AUTHORED_STAGE_TITLE, "summary": {}},
    )
    return stage


def _check_slug(slug: str) -> None:
    if not SLUG.match(slug):
        raise AuthoringError(
            _("a lab's name is 3 to 50 lower-case letters, digits and dashes"), "", "slug"
        )


def is_authored_stage(stage: Stage) -> bool:
    """Labs instructors wrote are not locked behind the curriculum: they unlock on their own."""
    return stage.slug == AUTHORED_STAGE


def create(owner: Any, slug: str, files: dict[str, str]) -> AuthoredLab:
    """A new authored lab (unpublished, seen by nobody but its authors)."""
    _check_slug(slug)
    if Lab.objects.filter(slug=slug).exists():
        raise AuthoringError(_("a lab named %(slug)s exists already") % {"slug": slug}, "", "slug")
    if files:
        check_limits(files)
    with transaction.atomic():
        lab = Lab.objects.create(
            slug=slug,
            stage=authored_stage(),
            order=0,
            title={"en": slug, "zh-hans": slug},
            program_type="",
            section="",
            starter="",
            solution="",
            content_hash="",
            is_active=False,
        )
        return AuthoredLab.objects.create(lab=lab, owner=owner, files=files)


def save_files(authored: AuthoredLab, files: dict[str, str]) -> None:
    check_limits(files)
    authored.files = {name: text for name, text in files.items() if text.strip()}
    authored.save(update_fields=["files", "updated_at"])


def can_edit(user: Any, authored: AuthoredLab) -> bool:
    from labs.access import is_instructor

    if user.is_authenticated and (user.is_superuser or user.is_staff):
        return True
    if not is_instructor(user):
        return False
    if authored.owner_id == user.id:
        return True
    return authored.co_instructors.filter(pk=user.pk).exists()


def editable_by(user: Any) -> QuerySet[AuthoredLab]:
    mine = AuthoredLab.objects.select_related("lab", "current", "owner")
    if user.is_superuser or user.is_staff:
        return mine
    return mine.filter(Q(owner=user) | Q(co_instructors=user)).distinct()


def visible_labs(user: Any) -> QuerySet[Lab]:
    """The active labs `user` may see: the curriculum, promoted labs, and authored labs of
    their cohorts or their own. Never another cohort's."""
    labs = Lab.objects.filter(is_active=True)
    public = Q(authored__isnull=True) | Q(authored__promoted=True)
    if user is None or not user.is_authenticated:
        return labs.filter(public)
    theirs = Lab.objects.filter(
        Q(authored__owner=user)
        | Q(authored__co_instructors=user)
        | Q(authored__cohorts__memberships__user=user)
    ).values("pk")
    return labs.filter(public | Q(pk__in=theirs))


def cohort_labs_filter(cohort: Any) -> Q:
    """The labs a cohort's grid shows: the curriculum and the authored labs attached to it."""
    return Q(authored__isnull=True) | Q(authored__promoted=True) | Q(authored__cohorts=cohort)


def current_version(lab: Lab) -> LabVersion | None:
    authored = AuthoredLab.objects.filter(lab=lab).select_related("current").first()
    return authored.current if authored else None


# ---------------------------------------------------------------------------------------
# self-check, publish, re-grade


@dataclass
class SelfCheck:
    version: LabVersion
    runs: dict[str, Run]
    result: dict[str, Any] | None  # None while a run is unfinished

    @property
    def ok(self) -> bool:
        return bool(self.result and self.result["ok"])


def _enqueue_after_commit(run: Run) -> None:
    from labs.submissions import _enqueue

    transaction.on_commit(lambda: _enqueue(run))


def _kernel_for(user: Any, spec: LabSpec, backend: str) -> str:
    from labs import kernels

    return kernels.choose(user, spec, None) if backend == "microvm" else ""


def start_self_check(authored: AuthoredLab, user: Any, language: str) -> LabVersion:
    """A candidate version of the working copy, and its reference and starter queued on
    the sandbox like any run."""
    from labs.management.commands.check_content import backend_for

    running = latest_self_check(authored)
    if running is not None and running.result is None:
        # one at a time: a button pressed repeatedly must not fill the queue
        raise AuthoringError(_("a self-check of this lab is still running"))
    spec = validate(authored.files, authored.lab.slug)
    backend = backend_for(spec, settings.SANDBOX_BACKEND)
    kernel = _kernel_for(user, spec, backend)
    with transaction.atomic():
        version = LabVersion.objects.create(
            authored=authored,
            files=authored.files,
            content_hash=files_hash(authored.files),
            created_by=user,
        )
        runs = {}
        for role, source in (("solution", spec.solution), ("starter", spec.starter)):
            submission = Submission.objects.create(
                user=user, lab=authored.lab, source=source, via=Submission.SELF_CHECK
            )
            run = Run.objects.create(
                submission=submission,
                backend=backend,
                language=language,
                kernel=kernel,
                lab_version=version,
            )
            runs[role] = run.pk
            _enqueue_after_commit(run)
        version.check_runs = runs
        version.save(update_fields=["check_runs"])
    return version


def verdict_of(run: Run) -> Any:
    from labs.grading import words
    from labs.grading.verdicts import verdict_from_dict

    verdict = verdict_from_dict(run.verdict or {"slug": ""})
    verdict.summary = words.stored_summary(run.verdict or {})  # in the reader's language
    if run.status == Run.ERROR and not verdict.error:
        verdict.error = run.failure or run.error or "error"
    return verdict


def self_check(version: LabVersion) -> SelfCheck:
    """The self-check's runs and, once both finished, what they prove (check_content's rules)."""
    from labs.grading import words
    from labs.management.commands.check_content import (
        lab_ok,
        reference_agrees,
        starter_differs,
        starter_failed,
    )

    runs = {r.pk: r for r in Run.objects.filter(pk__in=version.check_runs.values())}
    by_role = {role: runs[pk] for role, pk in version.check_runs.items() if pk in runs}
    if len(by_role) < 2 or not all(run.is_finished for run in by_role.values()):
        return SelfCheck(version, by_role, None)
    spec = spec_for_version(version)
    solution, starter = verdict_of(by_role["solution"]), verdict_of(by_role["starter"])
    result = {
        "solution_passed": bool(solution.passed and not solution.error),
        "starter_failed": starter_failed(spec, starter),
        "reference_agrees": reference_agrees(spec, solution),
        "starter_differs": starter_differs(spec, starter),
        "solution_summary": words.failure_words(solution.error) or solution.summary,
        "starter_summary": words.failure_words(starter.error) or starter.summary,
    }
    result["ok"] = lab_ok(result)
    return SelfCheck(version, by_role, result)


def latest_self_check(authored: AuthoredLab) -> SelfCheck | None:
    version = authored.versions.filter(number__isnull=True).order_by("-created_at", "-pk").first()
    return self_check(version) if version else None


def publish(authored: AuthoredLab) -> LabVersion:
    """The self-checked candidate of the working copy becomes the next version, and the
    lab's page shows it. AuthoringError when the working copy has no passed self-check."""
    latest = latest_self_check(authored)
    if latest is None or latest.version.content_hash != files_hash(authored.files):
        raise AuthoringError(_("run the self-check on these files before publishing"))
    if not latest.ok:
        raise AuthoringError(_("the self-check did not pass; the lab cannot be published"))
    return _publish_version(authored, latest.version)


def publish_checked(
    authored: AuthoredLab, user: Any, backend: str
) -> tuple[LabVersion | None, dict]:
    """The command line's publish: the same self-check (check_content's), run here on the
    sandbox instead of through the queue. (None, result) when it did not pass."""
    from labs.management.commands.check_content import check_lab, lab_ok

    spec = validate(authored.files, authored.lab.slug, keep=True)
    result = check_lab(spec, backend)
    if not lab_ok(result):
        return None, result
    version = LabVersion.objects.create(
        authored=authored,
        files=authored.files,
        content_hash=files_hash(authored.files),
        created_by=user,
    )
    return _publish_version(authored, version), result


def _publish_version(authored: AuthoredLab, version: LabVersion) -> LabVersion:
    spec = validate(version.files, authored.lab.slug, keep=True)
    with transaction.atomic():
        locked = AuthoredLab.objects.select_for_update().get(pk=authored.pk)
        last = locked.versions.aggregate(last=Max("number"))["last"] or 0
        version.number = last + 1
        version.published_at = timezone.now()
        version.save(update_fields=["number", "published_at"])
        locked.current = version
        locked.save(update_fields=["current", "updated_at"])
        Lab.objects.filter(pk=authored.lab_id).update(**lab_fields(spec), is_active=True)
    authored.refresh_from_db()
    return version


# ---------------------------------------------------------------------------------------
# archives and folders


def read_folder(folder: Path) -> dict[str, str]:
    """A lab folder's files; AuthoringError for a file that is not one of a lab's."""
    files: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.name.startswith("."):
            continue
        if path.stat().st_size > settings.AUTHORED_FILE_BYTES:
            message = _("%(name)s is %(size)d bytes; the limit is %(limit)d bytes")
            values = {"name": path.name, "size": path.stat().st_size}
            raise AuthoringError(
                message % {**values, "limit": settings.AUTHORED_FILE_BYTES}, path.name
            )
        files[path.name] = _decoded(path.name, path.read_bytes())
    check_limits(files)
    return files


def _decoded(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AuthoringError(_("%(name)s is not UTF-8 text") % {"name": name}, name) from None


def archive(files: dict[str, str], slug: str) -> bytes:
    """The lab as a zip of its folder, <slug>/<file>: what `content/labs/` holds."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name in sorted(files):
            zipped.writestr(f"{slug}/{name}", files[name])
    return buffer.getvalue()


def read_archive(data: bytes) -> tuple[str, dict[str, str]]:
    """(slug, files) of an uploaded zip of one lab folder; every size is checked before
    anything is decompressed (a zip bomb stops at its directory)."""
    if len(data) > settings.AUTHORED_ARCHIVE_BYTES:
        message = _("the archive is %(size)d bytes; the limit is %(limit)d bytes")
        raise AuthoringError(
            message % {"size": len(data), "limit": settings.AUTHORED_ARCHIVE_BYTES}
        )
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise AuthoringError(_("the file is not a zip archive")) from None
    members = [m for m in zipped.infolist() if not m.is_dir()]
    if sum(m.file_size for m in members) > settings.AUTHORED_LAB_BYTES:
        message = _("the lab is %(size)d bytes; the limit is %(limit)d bytes")
        size = sum(m.file_size for m in members)
        raise AuthoringError(message % {"size": size, "limit": settings.AUTHORED_LAB_BYTES})
    folders = {m.filename.split("/")[0] for m in members if "/" in m.filename}
    if len(folders) != 1 or any(m.filename.count("/") != 1 for m in members):
        raise AuthoringError(
            _("the archive must hold one lab folder, <name>/lab.yaml and its files")
        )
    slug = folders.pop()
    files = {}
    for member in members:
        name = member.filename.split("/", 1)[1]
        if member.file_size > settings.AUTHORED_FILE_BYTES:
            message = _("%(name)s is %(size)d bytes; the limit is %(limit)d bytes")
            values = {"name": name, "size": member.file_size, "limit": settings.AUTHORED_FILE_BYTES}
            raise AuthoringError(message % values, name)
        files[name] = _decoded(name, zipped.read(member)[: settings.AUTHORED_FILE_BYTES + 1])
    check_limits(files)
    return slug, files


def import_files(user: Any, slug: str, files: dict[str, str], origin: str = "") -> AuthoredLab:
    """A new authored lab from files, or new working files for one `user` may edit."""
    validate(files, slug)
    authored = AuthoredLab.objects.filter(lab__slug=slug).first()
    if authored is None:
        authored = create(user, slug, files)
    elif not can_edit(user, authored):
        raise AuthoringError(_("a lab named %(slug)s exists already") % {"slug": slug}, "", "slug")
    else:
        save_files(authored, files)
    if origin:
        authored.origin = origin
        authored.save(update_fields=["origin"])
    return authored


def regrade(authored: AuthoredLab) -> int:
    """Every learner's submission graded again against the current version, through the
    queue. Their past runs keep the version they were graded against."""
    version = authored.current
    if version is None:
        raise AuthoringError(_("the lab has no published version to grade against"))
    submissions = Submission.objects.filter(lab=authored.lab, via=Submission.LAB).exclude(
        runs__lab_version=version
    )
    count = 0
    with transaction.atomic():
        for submission in submissions.distinct():
            last = submission.runs.order_by("-created_at").first()
            run = Run.objects.create(
                submission=submission,
                backend=last.backend if last else settings.SANDBOX_BACKEND,
                language=last.language if last else settings.LANGUAGE_CODE,
                kernel=last.kernel if last else "",
                lab_version=version,
                is_regrade=True,
            )
            _enqueue_after_commit(run)
            count += 1
    return count
