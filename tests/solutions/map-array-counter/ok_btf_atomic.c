/* BTF-style map definition, __sync_fetch_and_add on the looked-up slot. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

SEC("xdp")
int count_all(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&pkt_count, &zero);

	if (slot)
		__sync_fetch_and_add(slot, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
