// A correct program: the key's address as four bytes, a bigger trie, byte offsets.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} blocklist SEC(".maps");

SEC("xdp")
int blocker(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (p + 14 + 20 > end)
		return XDP_PASS;
	if (p[12] != 0x08 || p[13] != 0x00)
		return XDP_PASS;
	struct lpm_v4 key = {.prefixlen = 32};
	key.addr[0] = p[26];
	key.addr[1] = p[27];
	key.addr[2] = p[28];
	key.addr[3] = p[29];
	return bpf_map_lookup_elem(&blocklist, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
