// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} src_count SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
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

	__u32 src = ip->saddr;
	__u64 *count = bpf_map_lookup_elem(&src_count, &src);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else {
		__u64 one = 1;
		/* Another CPU may have inserted it meanwhile: then add to its entry. */
		if (bpf_map_update_elem(&src_count, &src, &one, BPF_NOEXIST) != 0) {
			count = bpf_map_lookup_elem(&src_count, &src);
			if (count)
				__sync_fetch_and_add(count, 1);
		}
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
