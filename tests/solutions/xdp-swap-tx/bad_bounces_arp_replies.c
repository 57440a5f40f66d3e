/* expect-fail: generated-traffic
 * Bounces IPv4 packets as asked, and ARP replies too (an "echo everything addressed to
 * us" habit); the fixed ARP packet is a request, so every fixed check passes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline void swap_macs(struct ethhdr *eth)
{
	unsigned char tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
}

SEC("xdp")
int bounce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char *arp = (void *)(eth + 1);

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_ARP) && (void *)(arp + 8) <= end && arp[7] == 2) {
		swap_macs(eth);
		return XDP_TX;
	}
	if ((void *)(eth + 1) + sizeof(struct iphdr) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	swap_macs(eth);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
