/* Reads EtherType and the source address with bpf_xdp_load_bytes straight into the key. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(key_size, 4);
	__uint(value_size, 8);
} src_count SEC(".maps");

SEC("xdp")
int count_src(struct xdp_md *ctx)
{
	__u16 et;
	__u32 src;
	__u8 tail;
	if (bpf_xdp_load_bytes(ctx, 12, &et, 2) || et != 0x0008)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 33, &tail, 1))   /* last byte of the 20-byte header */
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 26, &src, 4))
		return XDP_PASS;
	__u64 *v = bpf_map_lookup_elem(&src_count, &src);
	if (v) {
		__sync_fetch_and_add(v, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&src_count, &src, &one, BPF_ANY);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
