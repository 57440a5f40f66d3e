#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long spin(__u64 index, void *ctx)
{
    return 0;
}

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
    bpf_loop(1 << 23, spin, 0, 0);
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
