/* Wrong: handle_tcp needs the whole 20-byte TCP header before it prints, although the
 * destination port is in the first 4 bytes. Breaks "[nothing is printed only when] it is
 * too short for the IPv4 header or the TCP/UDP destination port".
 * expect-fail: tcp-just-the-ports */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

static __always_inline __u8 *l4(struct xdp_md *ctx, __u8 *proto)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return 0;
	if ((void *)ip + ip->ihl * 4 > end)
		return 0;
	*proto = ip->protocol;
	return (__u8 *)ip + ip->ihl * 4;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 proto;

	if (!l4(ctx, &proto))
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, proto);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	__u8 proto, *p = l4(ctx, &proto);

	if (!p || p + 20 > (__u8 *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_printk("tcp %u", (p[2] << 8) | p[3]);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	__u8 proto, *p = l4(ctx, &proto);

	if (!p || p + 4 > (__u8 *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_printk("udp %u", (p[2] << 8) | p[3]);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
