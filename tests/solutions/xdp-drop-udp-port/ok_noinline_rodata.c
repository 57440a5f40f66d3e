/* A real BPF-to-BPF call (__noinline subprogram), a global function helper, and the port
 * as a const volatile in .rodata. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

const volatile __u16 blocked_port = 9999;

static __noinline int udp_offset(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if (ip->protocol != IPPROTO_UDP || ip->ihl < 5)
		return -1;
	return sizeof(*eth) + ip->ihl * 4;
}

__noinline int port_matches(__u16 port_be)
{
	return bpf_ntohs(port_be) == blocked_port;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	int off = udp_offset(ctx);
	void *data, *data_end;
	struct udphdr *udp;

	if (off < 0 || off > 74)
		return XDP_PASS;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	udp = data + off;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return port_matches(udp->dest) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
