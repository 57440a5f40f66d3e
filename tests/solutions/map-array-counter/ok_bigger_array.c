// A correct program: a larger array (only key 0 is used), sizes given with __uint,
// a plain increment.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
	__uint(max_entries, 8);
} pkt_count SEC(".maps");

SEC("xdp")
int counter(struct xdp_md *ctx)
{
	int key = 0;
	unsigned long long *v = bpf_map_lookup_elem(&pkt_count, &key);

	if (!v)
		return XDP_PASS;
	(*v)++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
