/* A stranger's program: the two known slots jumped to with bpf_tail_call_static (a
 * constant index the JIT can patch into a direct jump), any other protocol through the
 * table as usual; the handlers share one noinline parser. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

static __noinline int parse(struct xdp_md *ctx, __u32 *proto)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	__u32 len = ip->ihl * 4;
	if (len < sizeof(*ip) || (void *)ip + len > end)
		return -1;
	*proto = ip->protocol;
	__u8 *ports = (__u8 *)ip + len;
	if ((void *)(ports + 4) > end)
		return -2;
	return ports[2] << 8 | ports[3];
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u32 proto = 0;
	if (parse(ctx, &proto) == -1)
		return XDP_PASS;
	if (proto == 6)
		bpf_tail_call_static(ctx, &jmp_table, 6);
	else if (proto == 17)
		bpf_tail_call_static(ctx, &jmp_table, 17);
	else
		bpf_tail_call(ctx, &jmp_table, proto);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	__u32 proto;
	int port = parse(ctx, &proto);
	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	__u32 proto;
	int port = parse(ctx, &proto);
	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
