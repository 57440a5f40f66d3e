/* An ARRAY with BPF_F_MMAPABLE (user space could mmap the counter); the counter is
 * bumped through a pointer kept in a local struct. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pkt_count SEC(".maps");

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *slot = bpf_map_lookup_elem(&pkt_count, &zero);
	if (!slot)
		return XDP_PASS;
	__atomic_fetch_add(slot, 1, __ATOMIC_RELAXED);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
