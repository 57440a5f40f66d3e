// A correct program: bpf_xdp_load_bytes does the bounds checking.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int ttl_guard(struct xdp_md *ctx)
{
	struct {
		struct ethhdr eth;
		struct iphdr ip;
	} __attribute__((packed)) hdr;

	if (bpf_xdp_load_bytes(ctx, 0, &hdr, sizeof(hdr)) < 0)
		return XDP_PASS;
	if (hdr.eth.h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (hdr.ip.ttl == 0 || hdr.ip.ttl == 1)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
