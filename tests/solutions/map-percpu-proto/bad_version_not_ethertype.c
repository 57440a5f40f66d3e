/* expect-fail: counted-per-protocol
 * Recognises IPv4 by the version nibble instead of the EtherType: a non-IPv4 frame whose
 * payload starts like an IPv4 header is counted. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
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
int stats(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 key;
	__u64 *count;

	if ((void *)(iph + 1) > data_end || iph->version != 4)
		return XDP_PASS;
	key = iph->protocol;
	count = bpf_map_lookup_elem(&proto_stats, &key);
	if (count)
		*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
