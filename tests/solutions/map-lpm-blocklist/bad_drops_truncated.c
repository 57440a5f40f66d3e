/* expect-fail: truncated-ipv4-passed
 * Bounds-checks only up to the source address and drops non-matching short frames
 * "to be safe": a truncated frame must get the default action, XDP_PASS. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(key_size, 8);
	__uint(value_size, 4);
} blocklist SEC(".maps");

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)data;
	__u32 key[2];

	if (data + 14 > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (data + 34 > data_end)
		return XDP_DROP;
	key[0] = 32;
	__builtin_memcpy(&key[1], data + 26, 4);
	return bpf_map_lookup_elem(&blocklist, key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
