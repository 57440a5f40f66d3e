/* expect-stage: load */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* no SEC("xdp"): libbpf cannot tell what kind of program this is */
int drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
