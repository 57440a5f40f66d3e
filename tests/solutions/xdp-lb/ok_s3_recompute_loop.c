/* A correct xdp-lb that recomputes the IPv4 header checksum from scratch over the whole
 * header, options included, with a bounded loop of 16-bit words, and updates the TCP
 * checksum incrementally by hand one 16-bit word at a time (RFC 1624, eqn. 3). The VIP
 * lives in `const volatile` globals, the backend is copied out of the map into a local
 * struct, and the MACs are swapped byte by byte. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct backend {
	__u32 addr;
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

const volatile __u32 vip_host_order = 0xcb00710a; /* 203.0.113.10 */
const volatile __u16 vip_port = 80;

static __always_inline __u16 replace16(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *tcp;
	struct backend be, *slot;
	__u16 *words, *old16, *new16;
	__u32 key, sum = 0, old_daddr;
	int i, nwords;

	if (data + ETH_HLEN + sizeof(*ip) > end)
		return XDP_PASS;
	if (bpf_ntohs(eth->h_proto) != ETH_P_IP || ip->protocol != IPPROTO_TCP || ip->ihl < 5)
		return XDP_PASS;
	if (bpf_ntohl(ip->daddr) != vip_host_order)
		return XDP_PASS;
	tcp = (void *)ip + (ip->ihl << 2);
	if ((void *)tcp + sizeof(*tcp) > end)
		return XDP_PASS;
	if (bpf_ntohs(tcp->dest) != vip_port)
		return XDP_PASS;

	key = bpf_ntohs(tcp->source) % 4;
	slot = bpf_map_lookup_elem(&backends, &key);
	if (!slot)
		return XDP_PASS;
	be = *slot;

	old_daddr = ip->daddr;
	ip->daddr = be.addr;

	/* TCP: the pseudo-header's destination address, word by word */
	old16 = (__u16 *)&old_daddr;
	new16 = (__u16 *)&be.addr;
	tcp->check = replace16(tcp->check, old16[0], new16[0]);
	tcp->check = replace16(tcp->check, old16[1], new16[1]);

	/* IPv4: the whole header again, check field as zero */
	ip->check = 0;
	words = (__u16 *)ip;
	nwords = ip->ihl * 2;
	for (i = 0; i < 30; i++) {
		if (i >= nwords)
			break;
		/* always true (the TCP header follows), but the verifier wants to see it on
		 * this very register: barrier_var keeps clang from folding the check away */
		barrier_var(words);
		if ((void *)(words + 1) > end)
			return XDP_ABORTED;
		sum += *words;
		words++;
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;

	for (i = 0; i < ETH_ALEN; i++) {
		eth->h_source[i] = eth->h_dest[i];
		eth->h_dest[i] = be.mac[i];
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
