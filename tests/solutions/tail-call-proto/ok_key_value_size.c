/* A stranger's program: key_size/value_size spelled out, handlers that print with
 * %u on a __u16, and dispatch written as a switch on the protocol. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jmp_table SEC(".maps");

#define IP_OF(ctx) ((struct iphdr *)((void *)(long)(ctx)->data + sizeof(struct ethhdr)))

static __always_inline int ok_ip(struct xdp_md *ctx)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *ip = IP_OF(ctx);
	void *end = (void *)(long)ctx->data_end;

	return (void *)(ip + 1) <= end && eth->h_proto == bpf_htons(ETH_P_IP) &&
	       ip->ihl >= 5 && (void *)ip + ip->ihl * 4 <= end;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	if (!ok_ip(ctx))
		return XDP_PASS;
	switch (IP_OF(ctx)->protocol) {
	case IPPROTO_TCP:
		bpf_tail_call(ctx, &jmp_table, IPPROTO_TCP);
		break;
	case IPPROTO_UDP:
		bpf_tail_call(ctx, &jmp_table, IPPROTO_UDP);
		break;
	default:
		bpf_tail_call(ctx, &jmp_table, IP_OF(ctx)->protocol);
	}
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	if (!ok_ip(ctx))
		return XDP_PASS;
	struct iphdr *ip = IP_OF(ctx);
	__be16 *ports = (void *)ip + ip->ihl * 4;
	if ((void *)(ports + 2) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	__u16 port = bpf_ntohs(ports[1]);
	bpf_printk("tcp %u", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	if (!ok_ip(ctx))
		return XDP_PASS;
	struct iphdr *ip = IP_OF(ctx);
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)&udp->len > (void *)(long)ctx->data_end)
		return XDP_PASS;
	__u16 port = bpf_ntohs(udp->dest);
	bpf_printk("udp %u", port);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
