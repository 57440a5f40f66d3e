#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    unsigned char *data = (void *)(long)ctx->data;
    unsigned char *end = (void *)(long)ctx->data_end;
    if (data + 1 > end)
        return XDP_PASS;
    int offset = (signed char)data[0];
    unsigned char *field = data + offset;
    if (field + 1 > end)
        return XDP_PASS;
    return *field == 1 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
