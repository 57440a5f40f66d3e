/* A stranger uses libbpf's bpf_tail_call_static (a constant slot the JIT can patch into a
 * direct jump) in a switch, and bpf_xdp_load_bytes in the handlers. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	struct iphdr ip;
	__be16 proto;

	if (bpf_xdp_load_bytes(ctx, offsetof(struct ethhdr, h_proto), &proto, 2))
		return XDP_PASS;
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, ETH_HLEN, &ip, sizeof(ip)) || ip.ihl < 5)
		return XDP_PASS;
	if (ip.protocol == IPPROTO_TCP)
		bpf_tail_call_static(ctx, &jmp_table, 6);
	else if (ip.protocol == IPPROTO_UDP)
		bpf_tail_call_static(ctx, &jmp_table, 17);
	return XDP_PASS;
}

static __always_inline int dport(struct xdp_md *ctx)
{
	__u8 vihl;
	__be16 port;

	if (bpf_xdp_load_bytes(ctx, ETH_HLEN, &vihl, 1))
		return -1;
	if (bpf_xdp_load_bytes(ctx, ETH_HLEN + (vihl & 0xf) * 4 + 2, &port, 2))
		return -1;
	return bpf_ntohs(port);
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int p = dport(ctx);

	if (p >= 0)
		bpf_printk("tcp %d", p);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int p = dport(ctx);

	if (p >= 0)
		bpf_printk("udp %d", p);
	return XDP_PASS;
}
