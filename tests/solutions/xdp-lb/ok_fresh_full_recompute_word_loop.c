/* A stranger's program: a packed overlay of Ethernet + IPv4, the backend picked with
 * `& 3` (the same as % 4 for an unsigned port), the IPv4 checksum recomputed from scratch
 * over the whole header, options included (copied out with bpf_xdp_load_bytes, then a
 * bounded loop of 16-bit words), and the TCP checksum patched one 16-bit word at a time (RFC 1624,
 * eqn. 3), in host order. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

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

struct head {
	struct ethhdr eth;
	struct iphdr ip;
} __attribute__((packed));

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* HC' = ~(~HC + ~m + m'), all in host order */
static __always_inline __u16 patch16(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + new;
	return (__u16)~fold(sum);
}

SEC("xdp")
int balance(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct head *h = data;

	if ((void *)(h + 1) > end || h->eth.h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (h->ip.ihl < 5 || h->ip.protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (h->ip.daddr != bpf_htonl(0xcb00710a)) /* 203.0.113.10 */
		return XDP_PASS;
	__u32 hlen = h->ip.ihl * 4;
	struct tcphdr *tcp = (void *)&h->ip + hlen;
	if ((void *)(tcp + 1) > end || tcp->dest != bpf_htons(80))
		return XDP_PASS;

	__u32 key = bpf_ntohs(tcp->source) & 3;
	struct backend *be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;

	__u32 old = bpf_ntohl(h->ip.daddr), new = bpf_ntohl(be->addr);
	__u16 tsum = bpf_ntohs(tcp->check);
	tsum = patch16(tsum, old >> 16, new >> 16);
	tsum = patch16(tsum, old & 0xffff, new & 0xffff);
	tcp->check = bpf_htons(tsum);

	__builtin_memcpy(h->eth.h_source, h->eth.h_dest, ETH_ALEN);
	__builtin_memcpy(h->eth.h_dest, be->mac, ETH_ALEN);
	h->ip.daddr = be->addr;

	h->ip.check = 0;
	__u8 hdr[60];
	if (bpf_xdp_load_bytes(ctx, sizeof(struct ethhdr), hdr, hlen))
		return XDP_ABORTED;
	__u32 sum = 0;
	for (int i = 0; i < 30; i++) { /* at most 60 bytes */
		if (i * 2 >= hlen)
			break;
		sum += (hdr[2 * i] << 8) | hdr[2 * i + 1];
	}
	h->ip.check = bpf_htons((__u16)~fold(sum));
	return XDP_TX;
}
