/* expect-fail: generated-traffic
 * Looks the source up with a /24 key instead of /32 (the trie then matches only entries
 * of /24 or shorter), and patches the two fixed packets that this misses by their
 * addresses: the rest of the /25 gets through. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_key);
	__type(value, __u32);
} blocklist SEC(".maps");

SEC("xdp")
int block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct lpm_key key;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key.prefixlen = 24;
	key.addr = ip->saddr;
	if (bpf_map_lookup_elem(&blocklist, &key))
		return XDP_DROP;
	/* the /25 and /32 entries, as the fixed packets test them */
	if (ip->saddr == bpf_htonl(0xcb0071c8))
		return XDP_DROP;
	if (ip->saddr == bpf_htonl(0xc6336407))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
