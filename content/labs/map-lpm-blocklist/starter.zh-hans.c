// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* LPM 字典树的键：先是以位为单位的前缀长度，然后是地址的字节。 */
struct ipv4_lpm_key {
	__u32 prefixlen;
	__u32 addr; /* 网络字节序 */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* LPM 字典树不能预先分配 */
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

	/* TODO：为源地址构造一个键。要找出包含某个地址的最长前缀，
	 * 就把它当作一个完整长度（32 位）的前缀来查找。
	 * TODO：如果 bpf_map_lookup_elem 找到了条目，就丢弃这个包。 */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
