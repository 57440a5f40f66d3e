/* HASH with BPF_F_NO_PREALLOC and 4096 entries, key a one-field struct; lookup then
 * BPF_NOEXIST insert, falling back to the lookup when another CPU won the race. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct src_key { __be32 addr; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct src_key);
	__type(value, __u64);
} src_count SEC(".maps");

SEC("xdp")
int count_src(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	struct src_key k = { .addr = ip->saddr };
	for (int tries = 0; tries < 2; tries++) {
		__u64 *v = bpf_map_lookup_elem(&src_count, &k);
		if (v) {
			__sync_fetch_and_add(v, 1);
			break;
		}
		__u64 one = 1;
		if (bpf_map_update_elem(&src_count, &k, &one, BPF_NOEXIST) == 0)
			break;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
