/* A correct xdp-lb that updates both checksums with bpf_csum_diff (seeded with the
 * complement of the old checksum, then folded), copies MACs with __builtin_memcpy, picks
 * the backend with `& 3` (the same as `% 4` for an unsigned value), and parses with
 * struct pointers against data_end. */
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
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u16 fold(__s64 sum)
{
	__u64 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("xdp")
int balance(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp;
	struct backend *b;
	__u32 key, old_addr, new_addr;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl < 5 || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	if (ip->daddr != bpf_htonl(0xcb00710a) || tcp->dest != bpf_htons(80))
		return XDP_PASS;

	key = bpf_ntohs(tcp->source) & 3;
	b = bpf_map_lookup_elem(&backends, &key);
	if (!b)
		return XDP_PASS;

	old_addr = ip->daddr;
	new_addr = b->addr;
	ip->check = fold(bpf_csum_diff(&old_addr, 4, &new_addr, 4, (__u16)~ip->check));
	tcp->check = fold(bpf_csum_diff(&old_addr, 4, &new_addr, 4, (__u16)~tcp->check));
	ip->daddr = new_addr;

	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, b->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
