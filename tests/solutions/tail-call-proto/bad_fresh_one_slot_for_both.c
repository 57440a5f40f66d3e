/* expect-fail: udp-slot-empty
 * Wrong: dispatch jumps through slot 6 for TCP and UDP alike, and handle_tcp prints the
 * right line for either protocol; handle_udp is never reached. With both slots filled
 * every line is right: only a run with slot 17 emptied shows UDP still printing. */
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
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP)
		bpf_tail_call(ctx, &jmp_table, IPPROTO_TCP);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > end || ip->ihl < 5)
		return XDP_PASS;
	__u8 *l4 = (__u8 *)ip + ip->ihl * 4;
	if ((void *)(l4 + 4) > end)
		return XDP_PASS;
	int port = bpf_ntohs(*(__u16 *)(l4 + 2));
	if (ip->protocol == IPPROTO_UDP)
		bpf_printk("udp %d", port);
	else
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	return XDP_PASS;
}
