/* Exactly 64 entries, sizes via __uint, source copied straight into the key with
 * bpf_xdp_load_bytes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(key_size, 8);
	__uint(value_size, 4);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist SEC(".maps");

SEC("xdp")
int lpm(struct xdp_md *ctx)
{
	__u32 key[2];
	__u16 type;

	if (ctx->data_end - ctx->data < 34)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 12, &type, 2) || type != 0x0008)	/* 08 00 on the wire */
		return XDP_PASS;
	key[0] = 32;
	if (bpf_xdp_load_bytes(ctx, 26, &key[1], 4))
		return XDP_PASS;
	return bpf_map_lookup_elem(&blocklist, key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
