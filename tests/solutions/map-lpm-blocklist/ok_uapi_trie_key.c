/* Key built as the UAPI struct bpf_lpm_trie_key_u8 followed by the address bytes; map
 * sized with key_size; any found value blocks. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__uint(key_size, 8);
	__uint(value_size, 4);
} blocklist SEC(".maps");

SEC("xdp")
int block(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	if (p + 34 > end || p[12] != 0x08 || p[13] != 0)
		return XDP_PASS;
	union {
		struct bpf_lpm_trie_key_u8 k;
		__u8 raw[8];
	} key;
	key.k.prefixlen = 32;
	for (int i = 0; i < 4; i++)
		key.raw[4 + i] = p[26 + i];
	return bpf_map_lookup_elem(&blocklist, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
