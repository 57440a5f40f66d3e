// expect-fail: tcp-slot-empty, udp-slot-empty
/* Wrong: dispatch parses the packet and prints the handlers' lines itself; handle_tcp
 * and handle_udp exist but nothing ever tail-calls them. Every packet check with the
 * slots filled looks right, so only a run with an emptied slot tells it apart. */
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
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	__u8 *l4 = (__u8 *)ip + ip->ihl * 4;
	if ((void *)(l4 + 4) > end)
		return XDP_PASS;
	__u16 port = (l4[2] << 8) | l4[3];
	if (ip->protocol == IPPROTO_TCP)
		bpf_printk("tcp %u", port);
	else
		bpf_printk("udp %u", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	return XDP_PASS;
}
