/* expect-fail: counted-per-source
 * Recognises IPv4 by the version nibble instead of the EtherType: a non-IPv4 frame whose
 * payload starts like an IPv4 header is counted. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} src_count SEC(".maps");

SEC("xdp")
int per_source(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 src;
	__u64 one = 1, *count;

	if ((void *)(iph + 1) > data_end || iph->version != 4)
		return XDP_PASS;
	src = iph->saddr;
	count = bpf_map_lookup_elem(&src_count, &src);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&src_count, &src, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
