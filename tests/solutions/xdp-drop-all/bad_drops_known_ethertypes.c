/* expect-fail: generated-traffic
 * Drops the EtherTypes the fixed packets use (IPv4, ARP, IPv6) and frames too short to
 * have one; anything else (a VLAN tag, 0x88b5, ...) gets through. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int drop_known(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	switch (bpf_ntohs(eth->h_proto)) {
	case ETH_P_IP:
	case ETH_P_ARP:
	case ETH_P_IPV6:
		return XDP_DROP;
	}
	return eth->h_proto == bpf_htons(0x88b5) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
