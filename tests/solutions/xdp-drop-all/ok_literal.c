// A correct program: the numeric value of XDP_DROP, no headers beyond bpf.h.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
