/* Walks over the IPv4 options one 4-byte word at a time in a bounded loop instead of
 * computing ihl * 4. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int drop_port_9999(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	void *cursor;
	struct udphdr *udp;
	int word;

	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || iph->protocol != IPPROTO_UDP)
		return XDP_PASS;
	if (iph->ihl < 5)
		return XDP_PASS;
	cursor = (void *)(iph + 1);
	for (word = 5; word < 15; word++) {
		if (word >= iph->ihl)
			break;
		cursor += 4;
	}
	udp = cursor;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (bpf_ntohs(udp->dest) == 9999)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
