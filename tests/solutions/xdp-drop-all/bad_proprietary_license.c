/* expect-stage: load
 * No GPL-compatible license: "Proprietary" (nothing here calls a GPL-only helper, so it loads). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Proprietary";
