/* expect-fail: counted-per-protocol
 * Bounds-checks only up to the protocol byte: a frame cut inside the IPv4 header (not an
 * IPv4 packet) is counted. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_stats SEC(".maps");

SEC("xdp")
int stats(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	__u8 *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)data;
	__u32 key;
	__u64 *count;

	if (data + 24 > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key = data[23];
	count = bpf_map_lookup_elem(&proto_stats, &key);
	if (count)
		*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
