/* A stranger's dispatch only reads the protocol byte (offset 23) and tail-calls blindly;
 * each handler then checks the EtherType, IHL and bounds itself before printing. The
 * contract allows it: what counts is that nothing is printed and XDP_PASS comes back,
 * whichever program returns. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
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
	__u8 *p = (__u8 *)(long)ctx->data;

	if ((void *)(p + 24) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, p[23]);
	return XDP_PASS;
}

static __noinline int port_or_neg(struct xdp_md *ctx, __u8 want)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u8 *l4;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	if (ip->ihl < 5 || ip->protocol != want)
		return -1;
	l4 = (__u8 *)ip + ip->ihl * 4;
	if ((void *)(l4 + 4) > end)
		return -1;
	return (l4[2] << 8) | l4[3];
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int port = port_or_neg(ctx, 6);

	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int port = port_or_neg(ctx, 17);

	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}
