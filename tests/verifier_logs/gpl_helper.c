#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    bpf_printk("hi");
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "Proprietary";
