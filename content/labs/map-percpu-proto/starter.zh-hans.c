// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* TODO：per-CPU 数组让每个 CPU 都有每个槽位的一份副本：不需要原子操作，
 * 由用户态把各份副本加起来。这是哪种映射类型？ */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_stats SEC(".maps");

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	/* TODO：只统计 IPv4 头部完整落在帧内的 IPv4 帧。
	 * TODO：键是 ip->protocol；查找它，并把值加 1。 */

	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
