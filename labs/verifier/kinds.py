"""The one table of what can stop a program from loading: key, who refused it, a short
label (the instructors' dashboard), the pattern that recognises it in the log, and what it
usually means (the learner's panel), in English and, through gettext, Simplified Chinese.

Verifier kinds are matched against the verifier's complaint, first match wins, so a
specific pattern comes before the general one it overlaps with. Loader kinds are failures
before the verifier ran (libbpf could not open or relocate the object); their pattern is
matched against the libbpf lines of the log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERIFIER, LOADER = "verifier", "loader"


@dataclass(frozen=True)
class Kind:
    key: str
    by: str  # VERIFIER: the verifier's verdict; LOADER: refused before the verifier ran
    label: Promise
    pattern: re.Pattern[str] | None
    explanation: Promise | None


def _kind(
    key: str, by: str, label: Promise, pattern: str | None, explanation: Promise | None
) -> Kind:
    return Kind(key, by, label, re.compile(pattern) if pattern else None, explanation)


VERIFIER_KINDS = [
    _kind(
        "pkt_access",
        VERIFIER,
        _("packet access without a bounds check"),
        r"invalid access to packet|outside of the packet",
        _(
            "You read or wrote packet bytes without first proving they lie before data_end. "
            "Compare the pointer plus the size you access with data_end, and return early "
            "when it does not fit."
        ),
    ),
    _kind(
        "ctx_access",
        VERIFIER,
        _("invalid context access"),
        r"invalid bpf_context access|invalid access to context",
        _(
            "You accessed a context field this program type may not read or write, or with "
            "the wrong size."
        ),
    ),
    _kind(
        "null_deref",
        VERIFIER,
        _("possibly NULL pointer used"),
        r"invalid mem access '(map_value_or_null|ptr_or_null_|[a-z_]*_or_null)|_or_null'",
        _(
            "A map lookup can return NULL. Check the pointer against NULL before reading or "
            "writing through it."
        ),
    ),
    _kind(
        "scalar_deref",
        VERIFIER,
        _("dereference of a non-pointer"),
        r"invalid mem access '(scalar|inv)'",
        _(
            "You dereferenced a plain number as if it were a pointer. The verifier only allows "
            "memory access through pointers it knows (context, packet, map value, stack)."
        ),
    ),
    _kind(
        "unbounded_math",
        VERIFIER,
        _("pointer math with an unbounded value"),
        r"math between \w+ pointer and register with unbounded min value|min value is negative",
        _(
            "You added a value with no known lower bound to a packet pointer. Bound the "
            "value first (compare it with a constant, or mask it) before the pointer math."
        ),
    ),
    _kind(
        "stack_bounds",
        VERIFIER,
        _("stack access at an unbounded offset"),
        r"variable-offset (read from|write to|access to) stack|invalid variable-offset",
        _(
            "You indexed an array on the stack with a value the verifier cannot bound. Check "
            "the index against the array's length before using it."
        ),
    ),
    _kind(
        "map_bounds",
        VERIFIER,
        _("access outside a map value"),
        r"invalid access to map value|value_size=\d+ off=-?\d+ size=\d+|unbounded memory access"
        r"|max value is outside|value is outside of the allowed memory range|out of bounds",
        _(
            "You accessed a map value outside its size. Check the offset and the size of "
            "what you read or write against value_size."
        ),
    ),
    _kind(
        "uninit_reg",
        VERIFIER,
        _("read of an uninitialized register"),
        r"R\d+ !read_ok",
        _(
            "A register was read before anything was written to it, often a variable used "
            "uninitialised on some path."
        ),
    ),
    _kind(
        "ret_code",
        VERIFIER,
        _("return value not allowed"),
        r"At program exit the register R0",
        _("The program returns a value this program type does not allow."),
    ),
    _kind(
        "stack_read",
        VERIFIER,
        _("read of uninitialized stack"),
        r"invalid (indirect )?read from stack|invalid size of register spill",
        _(
            "A helper read stack memory you never initialised (often a key or struct passed "
            "by pointer). Zero it first, e.g. with = {} or __builtin_memset."
        ),
    ),
    _kind(
        "unreachable",
        VERIFIER,
        _("unreachable instructions"),
        r"unreachable insn",
        _(
            "Some instructions can never run. The verifier rejects dead code; remove it or "
            "make sure every path can reach it."
        ),
    ),
    _kind(
        "loop",
        VERIFIER,
        _("loop the verifier cannot bound"),
        r"back-edge|infinite loop detected|loop detected",
        _(
            "The verifier found a jump backwards it cannot prove ends. Use a loop with a "
            "constant bound, bpf_loop(), or unroll it."
        ),
    ),
    _kind(
        "too_large",
        VERIFIER,
        _("program too large or complex"),
        r"program is too large|complexity limit|too many states"
        r"|jump sequence of \d+ is too complex",
        _(
            "The program has too many instructions, or too many paths for the verifier to "
            "explore. Simplify it, bound the loops tighter, or split it."
        ),
    ),
    _kind(
        "gpl",
        VERIFIER,
        _("license (GPL-only helper)"),
        r"cannot call GPL-restricted function|GPL-compatible",
        _(
            "This helper is only for GPL-compatible programs. Declare the licence: "
            'char LICENSE[] SEC("license") = "GPL";'
        ),
    ),
    _kind(
        "unknown_func",
        VERIFIER,
        _("helper not allowed here"),
        r"unknown func|invalid func unknown#|program of this type cannot use helper",
        _(
            "You called a helper this program type may not use, or one this kernel does not "
            "have. Check the helper's list of allowed program types."
        ),
    ),
    _kind(
        "helper_args",
        VERIFIER,
        _("wrong argument to a helper"),
        r"R\d+ type=\S+ expected=|arg#?\d|helper call|cannot call",
        _(
            "A helper got an argument of the wrong kind: a map key or value must be a pointer "
            "to initialised memory (usually a variable on the stack), a map argument a map."
        ),
    ),
    _kind(
        "misaligned",
        VERIFIER,
        _("misaligned access"),
        r"misaligned",
        _(
            "You read or wrote memory at an address not aligned to the access size, often a "
            "wider value read through a cast pointer at an odd packet offset. Copy the bytes "
            "with __builtin_memcpy, or read them with bpf_xdp_load_bytes() or "
            "bpf_skb_load_bytes()."
        ),
    ),
    _kind(
        "reference",
        VERIFIER,
        _("unreleased reference or lock"),
        r"Unreleased reference|reference leak|spin_lock",
        _(
            "Something you acquired (a ring buffer reservation, a socket, a lock) is not "
            "released on every path to the exit: submit or discard it, release or unlock it."
        ),
    ),
]
OTHER = _kind("other", VERIFIER, _("other verifier message"), None, None)
NO_LOG = _kind("no_log", VERIFIER, _("rejected without a verifier message"), None, None)

LOADER_KINDS = [
    _kind(
        "missing_kfunc",
        LOADER,
        _("a kernel function this kernel does not have"),
        r"extern \(func ksym\) '(?P<name>[^']+)': not found",
        _(
            "Your program declares a kernel function (a kfunc, marked __ksym) that this "
            "kernel does not have: kfuncs come and go with kernel versions, and this one "
            "came later (or went away). The verifier never ran. Pick a newer kernel next to "
            "the Run button, or run on every kernel to see which ones have it."
        ),
    ),
    _kind(
        "unknown_function",
        LOADER,
        _("call to an unknown function (a misspelled helper?)"),
        r"failed to find BTF for extern '(?P<name>[^']+)'",
        _(
            "Your program calls a function that is neither a BPF helper nor defined in your "
            "file, so the loader looked for it in the kernel and did not find it. The "
            "verifier never ran. This is usually a misspelled helper name (the compiler only "
            "warns about it): compare it with the helper list in bpf_helper_defs.h."
        ),
    ),
    # Before no_section: the same libbpf line, naming a section libbpf does not know
    # (a misspelled SEC("xdpp")); no_section is a function in no section at all (.text).
    _kind(
        "bad_section",
        LOADER,
        _("section name that names no program type"),
        r"prog '(?P<name>[^']+)': missing BPF prog type, check ELF section name "
        r"'(?P<section>(?!\.text')[^']+)'",
        _(
            'The name in SEC("...") tells libbpf what kind of program this is, and it does '
            "not know this one, so the program was never handed to the kernel and the "
            "verifier never ran. Check the spelling against the section the lab asks for, "
            'e.g. SEC("xdp"), SEC("tc") or SEC("tracepoint/syscalls/sys_enter_execve").'
        ),
    ),
    _kind(
        "no_section",
        LOADER,
        _("function outside a program section"),
        r"prog '(?P<name>[^']+)': missing BPF prog type",
        _(
            'Every program needs SEC("...") before its function so the loader knows what '
            "kind of program it is. A function of your own that the program calls should be "
            "static."
        ),
    ),
    _kind(
        "map_refused",
        LOADER,
        _("a map the kernel would not create"),
        r"map '(?P<name>[^']+)': failed to create",
        _(
            "The kernel refused to create one of your maps, so the program was never loaded "
            "and the verifier never ran. Check its definition: max_entries above 0, key and "
            "value sizes this map type allows (an array's key is a __u32), and a map type "
            "this kernel has."
        ),
    ),
    _kind(
        "legacy_maps",
        LOADER,
        _("old-style map definition"),
        r"legacy map definitions in 'maps' section",
        _(
            "Maps are declared in the BTF style: struct { __uint(type, ...); __type(key, ...); "
            '... } name SEC(".maps"); The old struct bpf_map_def in SEC("maps") is no longer '
            "supported by libbpf."
        ),
    ),
]
LOAD_ERROR = _kind(
    "load_error",
    LOADER,
    _("object the loader refused"),
    None,
    _(
        "The loader refused the object before the verifier saw it; the libbpf lines in the "
        "log say why."
    ),
)

KINDS = [*VERIFIER_KINDS, OTHER, NO_LOG, *LOADER_KINDS, LOAD_ERROR]
BY_KEY = {kind.key: kind for kind in KINDS}
