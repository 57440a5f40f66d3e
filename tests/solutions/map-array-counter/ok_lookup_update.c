// A correct program: reads the counter, writes back value + 1 with bpf_map_update_elem.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} pkt_count SEC(".maps");

SEC("xdp")
int counter(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 next = 1;
	__u64 *now = bpf_map_lookup_elem(&pkt_count, &zero);

	if (now)
		next = *now + 1;
	bpf_map_update_elem(&pkt_count, &zero, &next, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
