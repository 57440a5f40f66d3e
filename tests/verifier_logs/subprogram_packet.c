#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
static __attribute__((noinline)) int peek(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    return data[12];
}
SEC("xdp") int prog(struct xdp_md *ctx)
{
    return peek(ctx) == 8 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
