#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static long step(__u32 i, void *ctx)
{
    __u64 *acc = ctx;
    *acc = *acc * 31 + i;
    return 0;
}

SEC("xdp")
int spin(struct xdp_md *ctx)
{
    __u64 acc = 0;
    for (int i = 0; i < 60; i++)
        bpf_loop(1 << 23, step, &acc, 0);
    bpf_printk("Hello, eBPF!");
    return acc == 42 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
