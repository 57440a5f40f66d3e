// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* The key of an LPM trie: a prefix length in bits, then the address bytes. */
struct ipv4_lpm_key {
	__u32 prefixlen;
	__u32 addr; /* network byte order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* LPM tries must not be preallocated */
	__uint(max_entries, 64);
	__type(key, struct ipv4_lpm_key);
	__type(value, __u32);
} blocklist SEC(".maps");

SEC("xdp")
int block_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;

	/* TODO: build a key for the source address. To find the longest prefix
	 * containing one address, look it up as a full-length prefix (32 bits).
	 * TODO: if bpf_map_lookup_elem finds an entry, drop the packet. */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
