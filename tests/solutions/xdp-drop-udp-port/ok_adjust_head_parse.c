/* Moves the frame's start past the Ethernet header with bpf_xdp_adjust_head to parse from
 * the IPv4 header, then puts it back before deciding. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline int blocked(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return 0;
	struct udphdr *udp = data + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return 0;
	return udp->dest == bpf_htons(9999);
}

SEC("xdp")
int xdp_udp9999(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, ETH_HLEN))
		return XDP_PASS;
	int verdict = blocked(ctx) ? XDP_DROP : XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, -ETH_HLEN))
		return XDP_ABORTED;
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
