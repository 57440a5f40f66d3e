/* Legacy bpf_map_def-free: BTF map plus a .bss global (libbpf makes it an internal map);
 * only pkt_count is the lab's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, long long);
} pkt_count SEC(".maps");

long long seen_here;	/* a second tally in .bss, for debugging */

SEC("xdp")
int count_all(struct xdp_md *ctx)
{
	int zero = 0;
	long long *slot = bpf_map_lookup_elem(&pkt_count, &zero);

	__sync_fetch_and_add(&seen_here, 1);
	if (slot)
		__sync_fetch_and_add(slot, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
