#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    char buffer[8] = {};
    long index = ctx->rx_queue_index;
    return buffer[index];
}
char LICENSE[] SEC("license") = "GPL";
