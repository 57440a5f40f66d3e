"""What a trigger check expects of a tracing program, and whether it got it.

The harness's own commands (a trigger's forked process, with its pid in the trigger
event) are the only source that counts: trace lines are attributed by the pid that
printed them, ring buffer records by the process id the record itself carries (the
lab's `record.owner` field). Lines and records of any other process (init, a kernel
thread, another learner's run on a shared kernel) are never looked at.
"""

from __future__ import annotations

from typing import Any

from labs.grading.jobs import fill
from labs.grading.words import Phrase, all_of, phrase, quoted
from labs.spec import Check, RecordField, RecordSpec


def expected_phrase(check: Check, context: dict[str, str], record: RecordSpec | None) -> Phrase:
    """The check's `expected` (labs.grading.words says it)."""
    parts: list[Phrase] = []
    if check.trace_contains:
        lines = [fill(line, context) for line in check.trace_contains]
        parts.append(phrase("trace_holds", lines=quoted(lines)))
    if check.trace_exact is not None:
        lines = [fill(line, context) for line in check.trace_exact]
        parts.append(phrase("prints_exactly", lines=quoted(lines)))
    if check.records is not None and record is not None:
        shown = "; ".join(_record_words(want, context) for want in check.records)
        records = shown or phrase("no_record")
        parts.append(phrase("receives_exactly", map=record.map, records=records))
    return all_of(parts)


def _record_words(fields: dict[str, Any], context: dict[str, str]) -> str:
    words = []
    for name, value in fields.items():
        text = fill(value, context) if isinstance(value, str) else str(value)
        quoted = isinstance(value, str) and not text.isdigit()
        words.append(f'{name}="{text}"' if quoted else f"{name}={text}")
    return "{" + ", ".join(words) + "}"


def trace_problem(check: Check, context: dict[str, str], printed: list[str]) -> Phrase:
    """Why the lines the trigger's process printed are not exactly the expected ones."""
    want = [fill(line, context) for line in check.trace_exact or ()]
    if printed == want:
        return None
    if not printed:
        return phrase("printed_nothing")
    return phrase("printed", actual=quoted(printed[-10:]))


def decode(record: RecordSpec, data: bytes) -> dict[str, Any]:
    """A record's fields by the lab's layout (strings up to their first NUL)."""
    return {f.name: _field(f, data) for f in record.fields}


def _field(spec: RecordField, data: bytes) -> Any:
    raw = data[spec.offset : spec.offset + spec.size]
    if spec.type == "cstr":
        text = raw.split(b"\0", 1)[0]
        return text.decode("utf-8", errors="replace") + ("" if b"\0" in raw else "…")
    return int.from_bytes(raw, "little", signed=spec.type.startswith("s"))


def owner_of(record: RecordSpec, data: bytes) -> int | None:
    spec = next(f for f in record.fields if f.name == record.owner)
    if len(data) < spec.offset + spec.size:
        return None
    return int(_field(spec, data))


def records_problem(
    check: Check, record: RecordSpec, context: dict[str, str], events: list[dict[str, Any]]
) -> Phrase:
    """Why the records the trigger's process submitted are not exactly the expected ones.
    `events` are every record event of the run; only those owned by {pid} count."""
    pid = int(context["pid"])
    mine = []
    for event in events:
        if event.get("map") != record.map:
            continue
        data = bytes.fromhex(str(event.get("data") or ""))
        if owner_of(record, data) == pid:
            mine.append(data)
    want = [
        {k: fill(v, context) if isinstance(v, str) else v for k, v in fields.items()}
        for fields in check.records or ()
    ]
    wrong_size = [len(data) for data in mine if len(data) != record.size]
    if wrong_size:
        return phrase("record_size", pid=pid, size=wrong_size[0], want=record.size)
    got = [decode(record, data) for data in mine]
    if [_normal(g, w) for g, w in zip(got, want, strict=False)] == want and len(got) == len(want):
        return None
    if not got:
        seen = len([e for e in events if e.get("map") == record.map])
        return phrase("no_own_record", field=record.owner, pid=pid, map=record.map, seen=seen)
    shown = "; ".join(_record_words(g, {}) for g in got[:5])
    return phrase("records_of", count=len(got), pid=pid, records=shown)


def _normal(got: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """got, with integers compared as the expected text gives them."""
    return {k: str(got.get(k)) if isinstance(v, str) else got.get(k) for k, v in want.items()}
