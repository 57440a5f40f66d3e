/* A stranger's program: byte offsets instead of header structs, a shared parser that
 * returns the port through a pointer, and a 1024-slot table. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

/* 0: not usable; else the L4 offset; *proto gets the IPv4 protocol */
static __always_inline int l4_offset(struct xdp_md *ctx, __u8 *proto)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (p + 34 > end || p[12] != 0x08 || p[13] != 0x00)
		return 0;
	int ihl = (p[14] & 0x0f) * 4;
	if (ihl < 20 || p + 14 + ihl > end)
		return 0;
	*proto = p[23];
	return 14 + ihl;
}

static __always_inline int port_at(struct xdp_md *ctx, int off)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (off <= 0 || off > 14 + 60)
		return -1;
	unsigned char *l4 = p + off;
	if (l4 + 4 > end)
		return -1;
	return (l4[2] << 8) | l4[3];
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 proto = 0;

	if (l4_offset(ctx, &proto))
		bpf_tail_call(ctx, &jmp_table, proto);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	__u8 proto;
	int port = port_at(ctx, l4_offset(ctx, &proto));

	if (port >= 0)
		bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	__u8 proto;
	int port = port_at(ctx, l4_offset(ctx, &proto));

	if (port >= 0)
		bpf_printk("udp %d", port);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
