// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define VIP_ADDR 0xcb00710a /* 203.0.113.10 */
#define VIP_PORT 80
#define NUM_BACKENDS 4

struct backend {
	__u32 addr; /* network byte order */
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NUM_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

/* Folds a 32-bit ones' complement sum into 16 bits. */
static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624: a checksum after one 32-bit word of the data changed from old to new:
 * HC' = ~(~HC + ~m + m'), summed in 16-bit halves. */
static __always_inline __u16 csum_replace4(__u16 check, __u32 old, __u32 new)
{
	__u32 sum = (__u16)~check;
	sum += (__u16)~old + (__u16)(~old >> 16);
	sum += (__u16)new + (__u16)(new >> 16);
	return ~fold(sum);
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl < 5 || ip->protocol != IPPROTO_TCP || ip->daddr != bpf_htonl(VIP_ADDR))
		return XDP_PASS;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > data_end || tcp->dest != bpf_htons(VIP_PORT))
		return XDP_PASS;

	/* the same client port always lands on the same backend: a connection stays put */
	__u32 key = bpf_ntohs(tcp->source) % NUM_BACKENDS;
	struct backend *be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;

	/* the destination address is in the IPv4 header checksum and, through the
	 * pseudo-header, in the TCP checksum: patch both for the one word that changes */
	__u32 old_addr = ip->daddr;
	ip->check = csum_replace4(ip->check, old_addr, be->addr);
	tcp->check = csum_replace4(tcp->check, old_addr, be->addr);
	ip->daddr = be->addr;

	/* out of the interface it came in on, addressed to the backend */
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
