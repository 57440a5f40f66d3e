/* expect-fail: generated-traffic
 * Counts only frames of at most 600 bytes (every fixed one): the count of longer
 * traffic is missing from pkt_count. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *value;

	if (ctx->data_end - ctx->data > 600)
		return XDP_PASS;
	value = bpf_map_lookup_elem(&pkt_count, &key);
	if (value)
		__sync_fetch_and_add(value, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
