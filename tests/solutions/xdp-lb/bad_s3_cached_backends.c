/* Wrong: reads the `backends` map once, on the first packet, into a global array, and
 * balances every later packet from that copy. Right until the control plane changes a
 * backend: the map update is never seen. Breaks "picks backend `ntohs(source port) % 4`
 * and rewrites: destination MAC := the backend's `mac` ... destination IPv4 address :=
 * the backend's `addr`" (the backend in `backends`, which the harness fills).
 * expect-fail: backend-replaced */
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

struct backend cache[4];
int cached;

static __always_inline __u16 csum_replace4(__u16 check, __u32 old, __u32 new)
{
	__u32 sum = (__u16)~check;

	sum += (__u16)~old + (__u16)(~old >> 16);
	sum += (__u16)new + (__u16)(new >> 16);
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
	if ((void *)(tcp + 1) > end)
		return XDP_PASS;
	if (ip->daddr != bpf_htonl(0xcb00710a) || tcp->dest != bpf_htons(80))
		return XDP_PASS;
	if (!cached) {
		int i;

#pragma unroll
		for (i = 0; i < 4; i++) {
			key = i;
			b = bpf_map_lookup_elem(&backends, &key);
			if (!b)
				return XDP_PASS;
			cache[i] = *b;
		}
		cached = 1;
	}
	b = &cache[bpf_ntohs(tcp->source) & 3];
	old = ip->daddr;
	ip->daddr = b->addr;
	tcp->check = csum_replace4(tcp->check, old, b->addr);
	ip->check = csum_replace4(ip->check, old, b->addr);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, b->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
