#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    ctx->rx_queue_index = 3;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
