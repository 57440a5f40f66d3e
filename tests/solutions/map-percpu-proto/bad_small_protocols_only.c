/* expect-fail: generated-traffic
 * Counts IPv4 packets by protocol only below 64 (ICMP, TCP, UDP and GRE, the fixed
 * packets' protocols); SCTP (132) or 253 go uncounted. */
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
int per_proto(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 key = ip->protocol;
	if (key >= 64)
		return XDP_PASS;
	__u64 *value = bpf_map_lookup_elem(&proto_stats, &key);
	if (value)
		*value += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
