/* expect-fail: generated-traffic
 * "Speeds up" lookups: remembers the /24 of the last blocked source and drops anything
 * from that /24 without asking the trie (a /25 or /32 entry blocks less than its /24). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct key4 { __u32 prefixlen; __u32 addr; };

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 64);
	__type(key, struct key4);
	__type(value, __u32);
} blocklist SEC(".maps");

__u32 last_blocked_24;

SEC("xdp")
int block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	__u32 net = ip->saddr & bpf_htonl(0xffffff00);
	if (last_blocked_24 && net == last_blocked_24)
		return XDP_DROP;
	struct key4 k = { 32, ip->saddr };
	if (bpf_map_lookup_elem(&blocklist, &k)) {
		last_blocked_24 = net;
		return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
