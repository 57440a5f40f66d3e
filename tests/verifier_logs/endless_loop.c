#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int prog(struct xdp_md *ctx)
{
    volatile int i = 0;
    for (;;)
        i++;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
