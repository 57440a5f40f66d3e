// SPDX-License-Identifier: GPL-2.0
/* Loaded and test-run once by the microVM's agent before the snapshot (agent.c, warm_up):
 * it uses what most lab programs use, so the kernel and libbpf set that up once per image.
 * It prints nothing for the frame it runs on: the global trace buffer stays empty. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} warm_count SEC(".maps");

SEC("xdp")
int warm_up(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&warm_count, &key);

	if (value)
		__sync_fetch_and_add(value, 1);
	if (ctx->data_end - ctx->data == 1)
		bpf_printk("never printed: the frame is longer");
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
