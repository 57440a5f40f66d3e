/* expect-fail: tcp-slot-empty, udp-slot-empty
 * Wrong: declares jmp_table (so the map check is happy) but jumps through a table of its
 * own, filled statically with the handlers when the object loads. The harness's slots
 * make no difference, which only a run with an emptied jmp_table slot shows. */
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

int handle_tcp(struct xdp_md *ctx);
int handle_udp(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__array(values, int(struct xdp_md *));
} my_jumps SEC(".maps") = {
	.values = {[6] = (void *)&handle_tcp, [17] = (void *)&handle_udp},
};

static __always_inline int dest_port(struct xdp_md *ctx)
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
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	bpf_tail_call(ctx, &my_jumps, ip->protocol);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int port = dest_port(ctx);
	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int port = dest_port(ctx);
	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}
