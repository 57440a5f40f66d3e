/* Protocol read with bpf_xdp_load_bytes; the count written back with BPF_EXIST. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_stats SEC(".maps");

SEC("xdp")
int stats(struct xdp_md *ctx)
{
	__be16 type;
	__u8 proto;
	__u32 key;
	__u64 *old, val;

	if (bpf_xdp_get_buff_len(ctx) < 14 + 20)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 12, &type, sizeof(type)) || type != bpf_htons(0x0800))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 14 + 9, &proto, 1))
		return XDP_PASS;
	key = proto;
	old = bpf_map_lookup_elem(&proto_stats, &key);
	val = old ? *old + 1 : 1;
	bpf_map_update_elem(&proto_stats, &key, &val, BPF_EXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
