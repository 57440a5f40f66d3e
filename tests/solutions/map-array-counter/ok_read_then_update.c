/* Reads the counter, writes count + 1 back with bpf_map_update_elem(BPF_ANY); key_size and
 * value_size spelled with __uint instead of __type. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
	__uint(max_entries, 1);
} pkt_count SEC(".maps");

SEC("xdp")
int counter(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 next = 1;
	__u64 *now = bpf_map_lookup_elem(&pkt_count, &key);

	if (now)
		next = *now + 1;
	bpf_map_update_elem(&pkt_count, &key, &next, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
