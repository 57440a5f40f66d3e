#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    char byte = 1;
    bpf_skb_store_bytes(ctx, 0, &byte, 1, 0);
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
