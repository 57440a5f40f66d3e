// expect-fail: to-backend-0, to-backend-1, ipv4-options
/* Wrong: the RFC 1624 update keeps the low 16 bits of the sum and drops its carries, so
 * the checksums are off by one whenever the addition overflows. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

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

static __always_inline void csum_replace4(__u16 *sum, __u32 from, __u32 to)
{
	__u32 s = (__u16)~*sum;

	s += (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
	
	*sum = (__u16)~s;
}

SEC("xdp")
int lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp;
	struct backend *be;
	__u32 key, old;
	__u8 orig_dst[ETH_ALEN];

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl < 5 || ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	if (ip->daddr != bpf_htonl(0xcb00710a) || tcp->dest != bpf_htons(80))
		return XDP_PASS;
	key = bpf_ntohs(tcp->source) % 4;
	be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;

	__builtin_memcpy(orig_dst, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, orig_dst, ETH_ALEN);
	old = ip->daddr;
	ip->daddr = be->addr;
	csum_replace4(&ip->check, old, be->addr);
	csum_replace4(&tcp->check, old, be->addr);
	return XDP_TX;
}
