/* Wrong: dispatch checks nothing but that an IPv4-sized header is there (no EtherType, no
 * IHL), tail-calls on byte 23, and the handlers read the port at a fixed offset 34 + 2.
 * Breaks "For an IPv4 packet (options honoured) `dispatch` tail-calls" and "the frame is
 * not IPv4 ... the run returns XDP_PASS and nothing is printed".
 * expect-fail: not-ipv4-ethertype, tcp-options */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 *d = (void *)(long)ctx->data;

	if (d + 34 > (__u8 *)(long)ctx->data_end)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, d[23]);
	return XDP_PASS;
}

static __always_inline int port(struct xdp_md *ctx)
{
	__u8 *d = (void *)(long)ctx->data;

	if (d + 38 > (__u8 *)(long)ctx->data_end)
		return -1;
	return (d[36] << 8) | d[37];
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int p = port(ctx);

	if (p >= 0)
		bpf_printk("tcp %d", p);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int p = port(ctx);

	if (p >= 0)
		bpf_printk("udp %d", p);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
