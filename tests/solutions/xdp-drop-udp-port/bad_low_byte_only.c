/* expect-fail: generated-traffic
 * Compares only the low byte of the destination port (0x0f of 0x270f): 9998, 3879 and
 * 53 all differ there, so the fixed checks pass; port 0x000f or 0x1f0f shows it. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int drop_9999(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	unsigned char *port = (unsigned char *)&udp->dest;
	return port[1] == 0x0f ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
