/* A stranger dispatches with a switch on the protocol and constant slot numbers, and the
 * handlers share a static __always_inline port parser working on packet pointers. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

/* returns the IPv4 header or NULL */
static __always_inline struct iphdr *ipv4_of(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end)
		return NULL;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	if (ip->ihl < 5 || (void *)ip + ip->ihl * 4 > end)
		return NULL;
	return ip;
}

/* the destination port in host order, or -1 when it is not in the frame */
static __always_inline int dport_of(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4_of(ctx);
	__u16 *ports;

	if (!ip)
		return -1;
	ports = (void *)ip + ip->ihl * 4;
	if ((void *)(ports + 2) > end)
		return -1;
	return bpf_ntohs(ports[1]);
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_of(ctx);

	if (!ip)
		return XDP_PASS;
	switch (ip->protocol) {
	case IPPROTO_TCP:
		bpf_tail_call(ctx, &jmp_table, 6);
		break;
	case IPPROTO_UDP:
		bpf_tail_call(ctx, &jmp_table, 17);
		break;
	default:
		break;
	}
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int port = dport_of(ctx);

	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int port = dport_of(ctx);

	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}
