#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    long where = ctx->ingress_ifindex;
    return *(int *)where;
}
char LICENSE[] SEC("license") = "GPL";
