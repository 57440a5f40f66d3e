"""The lab page's kernel picker, and the page of a run on every kernel: a matrix of each
kernel's verdict per check, whether the program loaded, the verifier's complaint and line,
and its instruction and state counts, with the rows that differ between kernels marked."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from labs import kernels
from labs.grading import words
from labs.i18n import pick
from labs.models import Lab, Run
from sandbox.kernels import version_key
from web.pages.strings import run_panel_strings
from web.pages.verdicts import kernels_summary

ALL_KERNELS_FIELD = "all_kernels"  # the "Run on every kernel" button's name


def asked_kernel(request: HttpRequest) -> str | None:
    """The kernel the lab page's form asks for: "all" from its "Run on every kernel"
    button, else its picker's choice (None without one: the default then)."""
    if request.POST.get(ALL_KERNELS_FIELD):
        return kernels.ALL
    return request.POST.get("kernel") or None


def picker(request: HttpRequest, lab: Lab, run: Run | None = None) -> dict[str, Any]:
    """What the lab page shows of kernels: the picker (only on a site that offers a choice)
    and the lab's oldest kernel."""
    offered = kernels.offered()
    releases = kernels.releases() if offered else {}
    chosen = run.kernel if run is not None and run.kernel in offered else ""
    default = kernels.default_for(request.user, lab, offered) if offered else ""
    return {
        "offered": [
            {
                "name": name,
                "release": releases.get(name, ""),
                "too_old": not kernels.at_least(name, lab.min_kernel),
                "too_new": not kernels.fits(name, "", lab.max_kernel),
            }
            for name in offered
        ],
        "selected": chosen or default,
        "default": default,
        "min_kernel": lab.min_kernel,
        "all_field": ALL_KERNELS_FIELD,
    }


def matrix_page(request: HttpRequest, run: Run) -> HttpResponse:
    """A run on every kernel: the matrix once finished, the kernels' progress before."""
    lab = run.submission.lab
    verdict = run.verdict or {}
    context = {
        "run": run,
        "lab": lab,
        "matrix": matrix(verdict) if verdict.get("kernels") else None,
        "summary": kernels_summary(verdict) if verdict.get("kernels") else "",
        "kernel_names": kernels.for_run(run.kernel) if not run.is_finished else [],
        "ws_path": f"/ws/runs/{run.token}/?lang={get_language() or 'en'}",
        "stage_words": run_panel_strings()["stages"],
    }
    return render(request, "pages/kernels.html", context)


def matrix(verdict: dict[str, Any]) -> dict[str, Any]:
    """The matrix as rows of cells, one cell per kernel, oldest kernel first."""
    by_kernel: dict[str, dict[str, Any]] = verdict["kernels"]
    names = sorted(by_kernel, key=version_key)
    differing = set(verdict.get("differences") or [])
    minimum, maximum = verdict.get("min_kernel") or "", verdict.get("max_kernel") or ""
    columns = [
        {
            "name": name,
            "release": (by_kernel[name].get("kernel") or {}).get("release", ""),
            "passed": by_kernel[name].get("passed"),
            "counted": kernels.fits(name, minimum, maximum),
            "summary": words.stored_summary(by_kernel[name]),
            "error": by_kernel[name].get("error"),
        }
        for name in names
    ]
    rows = [_outcome_row(columns)]
    rows += [
        _load_row(key, label, by_kernel, names, key in differing) for key, label in _load_rows()
    ]
    rows += _check_rows(by_kernel, names, differing)
    return {
        "columns": columns,
        "rows": rows,
        "differences": len(differing),
        "min_kernel": minimum,
        "max_kernel": maximum,
    }


def _outcome_row(columns: list[dict[str, Any]]) -> dict[str, Any]:
    """Each kernel's verdict in one sentence: why its checks were not run is said here
    once, not in each of its check cells."""
    said = [column["summary"] for column in columns]
    cells = [{"value": sentence, "kind": "sentence"} for sentence in said]
    return {"key": "outcome", "label": _("Outcome"), "cells": cells, "differs": len(set(said)) > 1}


def _load_rows() -> list[tuple[str, str]]:
    return [
        ("loaded", _("Loaded")),
        ("complaint", _("Why it did not load")),  # the verifier's or the loader's words
        ("line", _("At line")),
        ("insns", _("Instructions processed")),
        ("total_states", _("Verifier states")),
        ("peak_states", _("Peak states")),
    ]


def _load_row(
    key: str, label: str, by_kernel: dict[str, Any], names: list[str], differs: bool
) -> dict[str, Any]:
    cells = []
    for name in names:
        value = (by_kernel[name].get("load") or {}).get(key)
        cells.append({"value": value, "kind": "bool" if key == "loaded" else "text"})
    return {"key": key, "label": label, "cells": cells, "differs": differs}


def _check_rows(
    by_kernel: dict[str, Any], names: list[str], differing: set[str]
) -> list[dict[str, Any]]:
    first = by_kernel[names[0]].get("checks") or []
    rows = []
    for check in first:
        cells = []
        for name in names:
            found = next(
                (c for c in by_kernel[name].get("checks") or [] if c["name"] == check["name"]),
                None,
            )
            found = words.check_words(found) if found else {}
            not_run = found.get("status") == "not_run"
            cells.append(
                {
                    "value": found.get("passed"),
                    "kind": "not_run" if not_run else "check",
                    "expected": found.get("expected", ""),
                    "actual": found.get("actual", ""),
                }
            )
        rows.append(
            {
                "key": f"check:{check['name']}",
                "label": pick(check.get("describe")) or check["name"],
                "name": check["name"],
                "cells": cells,
                "differs": f"check:{check['name']}" in differing,
            }
        )
    return rows
