// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 一个槽位，键为 0，存放一个 64 位计数器。 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
	__u32 key = 0;

	/* TODO：用 bpf_map_lookup_elem(&pkt_count, &key) 查找键 0。
	 * 即使数组的槽位总是存在，验证器也要求你在使用指针之前检查它是否为 NULL。
	 * TODO：把计数器加 1（多个 CPU 同时计数时，__sync_fetch_and_add 能保证结果准确）。 */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
