/* The source address copied with bpf_xdp_load_bytes (bytes stay in wire order), legacy-
 * free BTF map with exactly 1024 entries, read-modify-write with BPF_ANY. */
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
	__u8 head[34];
	__u32 saddr;
	__u64 n = 1, *prev;

	if (bpf_xdp_load_bytes(ctx, 0, head, sizeof(head)))
		return XDP_PASS;	/* shorter than Ethernet + IPv4 */
	if (head[12] != 0x08 || head[13] != 0x00)
		return XDP_PASS;
	__builtin_memcpy(&saddr, &head[26], 4);
	prev = bpf_map_lookup_elem(&src_count, &saddr);
	if (prev)
		n = *prev + 1;
	bpf_map_update_elem(&src_count, &saddr, &n, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
