"""The kernels matrix names each check row by what the check sends, in the reader's
language (as the lab page does), not by its slug; a check stored without a description
keeps its name."""

from __future__ import annotations

from django.utils import translation

from web.pages.kernels import matrix


def kernel_verdict(passed: bool) -> dict:
    return {
        "passed": passed,
        "stage": "checks",
        "load": {"loaded": True},
        "checks": [
            {
                "name": "rr-dropped",
                "passed": passed,
                "status": "passed" if passed else "failed",
                "expected": {"say": "all", "items": ["XDP_DROP"]},
                "actual": {"say": "all", "items": ["XDP_DROP" if passed else "XDP_PASS"]},
                "describe": {
                    "en": "IPv4 with a Record Route option",
                    "zh-hans": "带记录路由选项的 IPv4",
                },
            },
            {"name": "old-check", "passed": passed, "expected": "", "actual": ""},
        ],
    }


VERDICT = {
    "kernels": {"6.1": kernel_verdict(False), "6.12": kernel_verdict(True)},
    "differences": ["check:rr-dropped"],
}


def check_labels(language: str) -> dict[str, str]:
    with translation.override(language):
        rows = matrix(VERDICT)["rows"]
    return {row["key"]: row["label"] for row in rows if row["key"].startswith("check:")}


def test_it_names_check_rows_by_their_description_in_english():
    assert check_labels("en") == {
        "check:rr-dropped": "IPv4 with a Record Route option",
        "check:old-check": "old-check",
    }


def test_it_names_check_rows_by_their_description_in_chinese():
    assert check_labels("zh-hans")["check:rr-dropped"] == "带记录路由选项的 IPv4"
