/* A stranger never touches packet pointers: bpf_xdp_load_bytes into stack copies,
 * bpf_csum_diff for the address change, bpf_xdp_store_bytes for every write; the VIP and
 * port are const volatile globals, and the protocol is a switch. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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

const volatile __u32 vip = 0xcb00710a; /* 203.0.113.10, host order */
const volatile __u16 vport = 80;

static __always_inline __u16 fold(__u64 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* new checksum after replacing 4 bytes `from` by `to` */
static __always_inline __u16 updated(__u16 check, __u32 from, __u32 to)
{
	__s64 d = bpf_csum_diff(&from, 4, &to, 4, (__u16)~check);

	return ~fold((__u64)d);
}

SEC("xdp")
int balance(struct xdp_md *ctx)
{
	struct ethhdr eth;
	struct iphdr ip;
	struct tcphdr tcp;
	struct backend *be;
	__u32 key, l4;
	__u16 ipc, tcpc;

	if (bpf_xdp_load_bytes(ctx, 0, &eth, sizeof(eth)))
		return XDP_PASS;
	if (bpf_ntohs(eth.h_proto) != ETH_P_IP)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, sizeof(eth), &ip, sizeof(ip)) || ip.ihl < 5)
		return XDP_PASS;
	switch (ip.protocol) {
	case IPPROTO_TCP:
		break;
	default:
		return XDP_PASS;
	}
	l4 = sizeof(eth) + ip.ihl * 4;
	if (bpf_xdp_load_bytes(ctx, l4, &tcp, sizeof(tcp)))
		return XDP_PASS;
	if (bpf_ntohl(ip.daddr) != vip || bpf_ntohs(tcp.dest) != vport)
		return XDP_PASS;
	key = bpf_ntohs(tcp.source) % 4;
	be = bpf_map_lookup_elem(&backends, &key);
	if (!be)
		return XDP_PASS;

	ipc = updated(ip.check, ip.daddr, be->addr);
	tcpc = updated(tcp.check, ip.daddr, be->addr);
	bpf_xdp_store_bytes(ctx, 6, eth.h_dest, ETH_ALEN);
	bpf_xdp_store_bytes(ctx, 0, be->mac, ETH_ALEN);
	bpf_xdp_store_bytes(ctx, sizeof(eth) + offsetof(struct iphdr, daddr), &be->addr, 4);
	bpf_xdp_store_bytes(ctx, sizeof(eth) + offsetof(struct iphdr, check), &ipc, 2);
	bpf_xdp_store_bytes(ctx, l4 + offsetof(struct tcphdr, check), &tcpc, 2);
	return XDP_TX;
}
