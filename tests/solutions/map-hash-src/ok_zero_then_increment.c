/* A hash map with 4096 entries (the contract asks at least 1024), the key read as four
 * bytes, an entry created with a zero and then incremented. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} src_count SEC(".maps");

SEC("xdp")
int sources(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;
	__u64 zero = 0, *count;
	__u32 key;

	if (p + 34 > end || p[12] != 0x08 || p[13] != 0x00)
		return XDP_PASS;
	__builtin_memcpy(&key, p + 26, 4);
	bpf_map_update_elem(&src_count, &key, &zero, BPF_NOEXIST);
	count = bpf_map_lookup_elem(&src_count, &key);
	if (count)
		__sync_fetch_and_add(count, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
