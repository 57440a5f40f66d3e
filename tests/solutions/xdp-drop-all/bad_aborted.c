/* expect-fail: udp-dropped, tcp-dropped, arp-dropped, ipv6-dropped, bare-frame-dropped */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
