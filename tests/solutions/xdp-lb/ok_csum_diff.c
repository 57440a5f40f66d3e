/* A stranger's program: both checksums patched with bpf_csum_diff over the old and
 * new address, the backend table declared bigger than needed, byte offsets for MACs. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct backend {
	__u32 addr;
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

static __always_inline __u16 csum_fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("xdp")
int balance(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if (data + sizeof(*eth) + sizeof(struct iphdr) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *iph = data + sizeof(*eth);
	__u32 hl = iph->ihl * 4;
	if (hl < sizeof(*iph) || iph->protocol != 6)
		return XDP_PASS;
	if (iph->daddr != bpf_htonl((203 << 24) | (0 << 16) | (113 << 8) | 10))
		return XDP_PASS;
	struct tcphdr *th = (void *)iph + hl;
	if ((void *)th + sizeof(*th) > end)
		return XDP_PASS;
	if (th->dest != bpf_htons(80))
		return XDP_PASS;

	__u32 idx = bpf_ntohs(th->source) & 3;
	struct backend *b = bpf_map_lookup_elem(&backends, &idx);
	if (!b)
		return XDP_PASS;

	__u32 from = iph->daddr, to = b->addr;
	__s64 d = bpf_csum_diff(&from, 4, &to, 4, ~iph->check & 0xffff);
	iph->check = csum_fold(d);
	d = bpf_csum_diff(&from, 4, &to, 4, ~th->check & 0xffff);
	th->check = csum_fold(d);
	iph->daddr = to;

	__u8 old_dst[6];
	__builtin_memcpy(old_dst, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, b->mac, 6);
	__builtin_memcpy(eth->h_source, old_dst, 6);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
