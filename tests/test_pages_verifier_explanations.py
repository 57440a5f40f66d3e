"""The run panel's plain-language explanations: each pattern matches what this kernel's
verifier really says when it rejects the mistake the explanation describes. The programs are
compiled in the jail and loaded on the host kernel (local backend). (An uninitialised stack
read is not among them: the kernel allows it to privileged loaders such as our agent.)"""

from __future__ import annotations

import pytest

from labs import verifier

HEAD = """// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
"""
GPL = 'char LICENSE[] SEC("license") = "GPL";\n'

MAP = """struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, struct pair);
    __type(value, __u64);
} counts SEC(".maps");
"""

MISTAKES = {
    "pkt_access": HEAD
    + """SEC("xdp") int prog(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    return data[20] == 1 ? XDP_DROP : XDP_PASS;
}
"""
    + GPL,
    "null_deref": HEAD
    + "struct pair { __u32 a; __u32 b; };\n"
    + MAP
    + """SEC("xdp") int prog(struct xdp_md *ctx)
{
    struct pair key = {1, 2};
    __u64 *value = bpf_map_lookup_elem(&counts, &key);
    *value += 1;
    return XDP_PASS;
}
"""
    + GPL,
    "gpl": HEAD
    + """SEC("xdp") int prog(struct xdp_md *ctx)
{
    bpf_printk("hi");
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "Proprietary";
""",
    "scalar_deref": HEAD
    + """SEC("xdp") int prog(struct xdp_md *ctx)
{
    long where = ctx->ingress_ifindex;
    return *(int *)where;
}
"""
    + GPL,
}


def verifier_log(source: str) -> str:
    from sandbox.backends import get_backend
    from sandbox.compile import compile_source
    from sandbox.job import Job

    compiled = compile_source(source)
    assert compiled.ok, compiled.output
    result = get_backend("local").run(
        Job(object=compiled.object, ops=[{"op": "load", "id": "load"}])
    )
    load = result.by_id("load")
    assert load is not None and load["ok"] is False, "the verifier accepted the mistake"
    return load["verifier_log"]


def explanations_for(log: str) -> list[str]:
    """What the panel shows: the explanation of the kind labs.verifier finds in the log."""
    return [verifier.analyse(log).kind.key]


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_it_explains_what_the_verifier_rejected(mistake):
    log = verifier_log(MISTAKES[mistake])
    assert mistake in explanations_for(log), log


def test_it_has_an_explanation_for_every_pattern():
    explanations = verifier.explanations()
    assert {kind.key for kind in verifier.KINDS if kind.pattern} == set(explanations) - {
        "load_error"
    }
    assert all(text.strip() for text in explanations.values())
