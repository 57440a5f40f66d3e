/* expect-fail: tcp-just-the-ports
 * Demands the whole 20-byte TCP header where only the destination port is needed. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

static __always_inline struct iphdr *ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5 ||
	    (void *)ip + ip->ihl * 4 > end)
		return 0;
	return ip;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4(ctx);
	if (ip)
		bpf_tail_call(ctx, &jmp_table, ip->protocol);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4(ctx);
	if (!ip)
		return XDP_PASS;
	struct tcphdr *tcp = (void *)ip + ip->ihl * 4;
	if ((void *)(tcp + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_printk("tcp %d", bpf_ntohs(tcp->dest));
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4(ctx);
	if (!ip)
		return XDP_PASS;
	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_printk("udp %d", bpf_ntohs(udp->dest));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
