/* Map described by key_size/value_size instead of types; counts with __sync_add_and_fetch. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
} pkt_count SEC(".maps");

static __always_inline void bump(void *map)
{
	int zero = 0;
	unsigned long long *v = bpf_map_lookup_elem(map, &zero);
	if (v)
		__sync_add_and_fetch(v, 1);
}

SEC("xdp")
int count(struct xdp_md *ctx)
{
	bump(&pkt_count);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
