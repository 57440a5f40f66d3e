/* expect-fail: blocked-header-only-dropped
 * `>=` instead of `>` in the bounds check: a blocked IPv4 packet that ends right after its
 * header gets through. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
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
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 key[2];

	if ((void *)(ip + 1) >= data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key[0] = 32;
	key[1] = ip->saddr;
	return bpf_map_lookup_elem(&blocklist, key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
