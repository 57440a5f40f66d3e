/* Reads its verdict from a small config map that nobody fills (0 means "drop"): an extra
 * map the contract does not forbid. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} drop_cfg SEC(".maps");

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u32 *allow = bpf_map_lookup_elem(&drop_cfg, &k);
	if (allow && *allow == 0xa11)
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
