// A correct program: copies the address bytes out of the header at offset 26.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(key_size, 4);
	__uint(value_size, 8);
	__uint(max_entries, 1024);
} src_count SEC(".maps");

SEC("xdp")
int by_source(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (p + 34 > end)
		return XDP_PASS;
	if (p[12] != 0x08 || p[13] != 0x00)
		return XDP_PASS;
	__u32 key;
	__builtin_memcpy(&key, p + 26, 4);
	__u64 init = 0;
	bpf_map_update_elem(&src_count, &key, &init, BPF_NOEXIST);
	__u64 *n = bpf_map_lookup_elem(&src_count, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
