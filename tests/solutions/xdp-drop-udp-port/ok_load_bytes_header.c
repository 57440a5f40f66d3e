/* Copies the fixed IPv4 header and the UDP header onto the stack with bpf_xdp_load_bytes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int xdp_udp9999(struct xdp_md *ctx)
{
	struct ethhdr eth;
	struct iphdr ip;
	struct udphdr udp;

	if (bpf_xdp_load_bytes(ctx, 0, &eth, sizeof(eth)))
		return XDP_PASS;
	if (eth.h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, sizeof(eth), &ip, sizeof(ip)))
		return XDP_PASS;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, sizeof(eth) + ip.ihl * 4, &udp, sizeof(udp)))
		return XDP_PASS;
	return udp.dest == bpf_htons(9999) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
