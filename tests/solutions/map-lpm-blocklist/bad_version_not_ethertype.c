/* expect-fail: ipv4-lookalike-passed
 * Recognises IPv4 by the version nibble instead of the EtherType: a non-IPv4 frame whose
 * payload looks like IPv4 from a blocked source is dropped. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
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
	struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 key[2];

	if ((void *)(iph + 1) > data_end || iph->version != 4)
		return XDP_PASS;
	key[0] = 32;
	key[1] = iph->saddr;
	return bpf_map_lookup_elem(&blocklist, key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
