// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* slot = IPv4 protocol number; user space stores the handlers' file descriptors */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

/* The IPv4 header of the frame, or NULL when it is not IPv4 or does not fit. */
static __always_inline struct iphdr *ipv4_header(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	if (ip->ihl < 5 || (void *)ip + ip->ihl * 4 > data_end)
		return NULL;
	return ip;
}

/* The destination port of the TCP or UDP header after ip: both keep it in bytes 2-3.
 * -1 when those bytes are not in the frame. */
static __always_inline int dest_port(struct xdp_md *ctx, struct iphdr *ip)
{
	void *data_end = (void *)(long)ctx->data_end;
	__be16 *ports = (void *)ip + ip->ihl * 4;

	if ((void *)(ports + 2) > data_end)
		return -1;
	return bpf_ntohs(ports[1]);
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_header(ctx);

	if (ip)
		bpf_tail_call(ctx, &jmp_table, ip->protocol);
	/* not IPv4, or the slot is empty: the tail call does not happen and we go on */
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_header(ctx); /* a tail call starts afresh: parse again */
	int port = ip ? dest_port(ctx, ip) : -1;

	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4_header(ctx);
	int port = ip ? dest_port(ctx, ip) : -1;

	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
