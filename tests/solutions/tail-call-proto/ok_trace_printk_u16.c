/* A stranger prints with bpf_trace_printk and static format arrays, the port kept as a
 * __u16 and printed with %u; dispatch checks the EtherType on ctx and bounds by hand. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char _license[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, int);
	__type(value, int);
} jmp_table SEC(".maps");

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	unsigned char *p = (unsigned char *)(long)ctx->data;
	unsigned char *end = (unsigned char *)(long)ctx->data_end;

	if (p + 34 > end)
		return XDP_PASS;
	if (p[12] != 0x08 || p[13] != 0x00)
		return XDP_PASS;
	if (p + 14 + (p[14] & 0xf) * 4 > end || (p[14] & 0xf) < 5)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, p[23]);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	static const char fmt[] = "tcp %u";
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *tcp;
	__u16 port;

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	tcp = (void *)ip + ip->ihl * 4;
	if ((void *)&tcp->dest + sizeof(tcp->dest) > end)
		return XDP_PASS;
	port = bpf_ntohs(tcp->dest);
	bpf_trace_printk(fmt, sizeof(fmt), port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	static const char fmt[] = "udp %u";
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct udphdr *udp;
	__u16 port;

	if ((void *)(ip + 1) > end)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)&udp->dest + sizeof(udp->dest) > end)
		return XDP_PASS;
	port = bpf_ntohs(udp->dest);
	bpf_trace_printk(fmt, sizeof(fmt), port);
	return XDP_PASS;
}
