/* A stranger's program: dispatch reads only the EtherType and the protocol byte (the
 * fixed 20-byte header must fit) and jumps; each handler then parses again through one
 * global (non-inlined, verified once) function that honours IHL and checks that the
 * destination port is in the frame. The port goes out as an unsigned short, printed with %u (bpf_trace_printk knows no %hu). */
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

/* the destination port in host order, or -1: not IPv4, header or port cut short */
__noinline int dest_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl < 5)
		return -1;
	__u8 *l4 = (__u8 *)ip + ip->ihl * 4;
	if ((void *)(l4 + 4) > end)
		return -1;
	return bpf_ntohs(*(__u16 *)(l4 + 2));
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	if (data + 14 + 20 > end)
		return XDP_PASS;
	if (((__u8 *)data)[12] != 0x08 || ((__u8 *)data)[13] != 0x00)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, ((__u8 *)data)[14 + 9]);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int port = dest_port(ctx);
	if (port >= 0)
		bpf_printk("tcp %u", (unsigned short)port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int port = dest_port(ctx);
	if (port >= 0)
		bpf_printk("udp %u", (unsigned short)port);
	return XDP_PASS;
}
