/* Wrong: recomputes the IPv4 header checksum over a fixed 20 bytes, so behind IPv4
 * options the checksum misses the options. Breaks "the IPv4 header checksum ... stay[s]
 * valid" with "(IPv4 options honoured)".
 * expect-fail: ipv4-options */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct backend {
	__u32 addr;
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u16 csum_replace4(__u16 check, __u32 old, __u32 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old + (__u16)(~old >> 16);
	sum += (__u16)new + (__u16)(new >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static __always_inline __u16 ip_csum_fixed20(struct iphdr *ip)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;
	int i;

	ip->check = 0;
#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp;
	struct backend *b;
	__u32 key, old;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl < 5 || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)tcp + 20 > end)
		return XDP_PASS;
	if (ip->daddr != bpf_htonl(0xcb00710a) || tcp->dest != bpf_htons(80))
		return XDP_PASS;
	if (!(1))
		return XDP_PASS;
	key = bpf_ntohs(tcp->source) % 4;
	b = bpf_map_lookup_elem(&backends, &key);
	if (!b)
		return XDP_PASS;
	old = ip->daddr;
	ip->daddr = b->addr;
	tcp->check = csum_replace4(tcp->check, old, b->addr);

	ip->check = ip_csum_fixed20(ip);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, b->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
