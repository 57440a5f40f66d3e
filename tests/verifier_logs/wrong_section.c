#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdpp")
int drop(struct xdp_md *ctx)
{
    return XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
