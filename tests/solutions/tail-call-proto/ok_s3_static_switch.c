/* A correct tail-call-proto whose dispatch switches on the protocol and uses libbpf's
 * bpf_tail_call_static (a constant index the JIT can patch into a direct jump) for TCP and
 * UDP, and the plain bpf_tail_call for any other protocol. The handlers parse again with
 * a shared always-inline helper and need only the 4 bytes up to the destination port. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

static __always_inline struct iphdr *ipv4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	if (ip->ihl < 5 || (void *)ip + ip->ihl * 4 > end)
		return 0;
	return ip;
}

/* returns the destination port in host order, or -1 */
static __always_inline int dport(struct xdp_md *ctx)
{
	void *end = (void *)(long)ctx->data_end;
	struct iphdr *ip = ipv4(ctx);
	__u8 *l4;

	if (!ip)
		return -1;
	l4 = (__u8 *)ip + ip->ihl * 4;
	if (l4 + 4 > (__u8 *)end)
		return -1;
	return (l4[2] << 8) | l4[3];
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	struct iphdr *ip = ipv4(ctx);

	if (!ip)
		return XDP_PASS;
	switch (ip->protocol) {
	case IPPROTO_TCP:
		bpf_tail_call_static(ctx, &jmp_table, IPPROTO_TCP);
		break;
	case IPPROTO_UDP:
		bpf_tail_call_static(ctx, &jmp_table, IPPROTO_UDP);
		break;
	default:
		bpf_tail_call(ctx, &jmp_table, ip->protocol);
	}
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int port = dport(ctx);

	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int port = dport(ctx);

	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
