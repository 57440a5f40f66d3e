// A correct program: copies the headers out with bpf_xdp_load_bytes, compares a
// precomputed network-order constant.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_xdp_load_bytes(ctx, 0, &eth, sizeof(eth)) < 0)
		return XDP_PASS;
	if (eth.h_proto != __constant_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, sizeof(eth), &ip, sizeof(ip)) < 0)
		return XDP_PASS;
	if (ip.protocol != IPPROTO_UDP)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, sizeof(eth) + ip.ihl * 4, &udp, sizeof(udp)) < 0)
		return XDP_PASS;
	return udp.dest == __constant_htons(9999) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
