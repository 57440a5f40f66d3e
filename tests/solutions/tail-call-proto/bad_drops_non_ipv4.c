// expect-fail: arp, ipv6-udp, not-ipv4-ethertype
/* Wrong: dispatch drops what is not IPv4 instead of passing it. */
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
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	bpf_tail_call(ctx, &jmp_table, ip->protocol);

	return XDP_PASS;
}

static __always_inline int show(struct xdp_md *ctx, int tcp)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u16 *ports;
	int port = 0;

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	ports = (void *)ip + ip->ihl * 4;
	if ((void *)(ports + 2) > end)
		return XDP_PASS;
	port = bpf_ntohs(ports[1]);
	if (tcp)
		bpf_printk("tcp %d", port);
	else
		bpf_printk("udp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	return show(ctx, 1);
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	return show(ctx, 0);
}
