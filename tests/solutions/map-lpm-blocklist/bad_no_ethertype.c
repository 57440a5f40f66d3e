/* expect-fail: ipv6-lookalike-passed
 * Never checks the EtherType: an IPv6 frame whose bytes 12..15 of the header happen to
 * read as a blocked IPv4 address is dropped. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

struct v4_prefix {
	__u32 prefixlen;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct v4_prefix);
	__type(value, __u32);
} blocklist SEC(".maps");

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	struct v4_prefix key;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	key.prefixlen = 32;
	key.addr = ip->saddr;
	return bpf_map_lookup_elem(&blocklist, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
