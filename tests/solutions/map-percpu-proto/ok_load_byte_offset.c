/* Reads only EtherType and the protocol byte with bpf_xdp_load_bytes, after checking the
 * frame is at least 34 bytes with bpf_xdp_get_buff_len. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, 4);
	__uint(value_size, 8);
} proto_stats SEC(".maps");

SEC("xdp")
int stats(struct xdp_md *ctx)
{
	__u8 et[2], proto;
	if (bpf_xdp_get_buff_len(ctx) < 34)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 12, et, 2) || et[0] != 0x08 || et[1] != 0)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 23, &proto, 1))
		return XDP_PASS;
	__u32 key = proto;
	__u64 *v = bpf_map_lookup_elem(&proto_stats, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
