/* expect-fail: to-backend-0, to-backend-1, to-backend-2, to-backend-3, with-payload, ipv4-options
 * Wrong: takes each backend's MAC from the map but writes the addresses it expects the
 * harness to use (198.51.100.10 + index) instead of the map's `addr`. */
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

static __always_inline __u16 swap32(__u16 check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~check;
	sum += (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

SEC("xdp")
int lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP || ip->daddr != bpf_htonl(0xcb00710a))
		return XDP_PASS;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > end || tcp->dest != bpf_htons(80))
		return XDP_PASS;
	__u32 key = bpf_ntohs(tcp->source) % 4;
	struct backend *be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;
	__u32 addr = bpf_htonl(0xc633640a + key);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	__u32 old = ip->daddr;
	ip->daddr = addr;
	ip->check = swap32(ip->check, old, addr);
	tcp->check = swap32(tcp->check, old, addr);
	return XDP_TX;
}
