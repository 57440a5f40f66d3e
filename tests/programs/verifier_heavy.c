#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int heavy(struct xdp_md *ctx)
{
    __u32 acc = bpf_get_prandom_u32();

#pragma clang loop unroll(disable)
    for (int i = 0; i < 400000; i++)
        acc = (acc << 1) ^ (acc >> 3) ^ i;
    bpf_printk("Hello, eBPF!");
    return acc & 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
