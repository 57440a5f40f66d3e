/* struct casts, ihl * 4 as a pointer step, the port compared to a constant in wire order. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#define PORT_9999_BE 0x0f27	/* 9999 = 0x270f, bytes 27 0f on the wire, read little-endian */

SEC("xdp")
int drop9999(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;
	struct ethhdr *eth = (struct ethhdr *)data;
	struct iphdr *iph;
	struct udphdr *udp;

	if (data + sizeof(*eth) > end)
		return XDP_PASS;
	if (eth->h_proto != 0x0008)	/* ETH_P_IP in wire order on a little-endian host */
		return XDP_PASS;
	iph = (struct iphdr *)(data + sizeof(*eth));
	if ((unsigned char *)iph + sizeof(*iph) > end)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_UDP || iph->ihl < 5)
		return XDP_PASS;
	udp = (struct udphdr *)((unsigned char *)iph + iph->ihl * 4);
	if ((unsigned char *)udp + sizeof(*udp) > end)
		return XDP_PASS;
	if (udp->dest == PORT_9999_BE)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
