/* expect-fail: counted-per-protocol
 * `>=` instead of `>` in the bounds check: an IPv4 packet that ends right after its
 * header is not counted. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_stats SEC(".maps");

SEC("xdp")
int by_protocol(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	__u32 key;
	__u64 *count;

	if ((void *)(ip + 1) >= data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key = ip->protocol;
	count = bpf_map_lookup_elem(&proto_stats, &key);
	if (count)
		(*count)++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
