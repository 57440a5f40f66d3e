/* A stranger's program: no direct packet access at all. dispatch and both handlers copy
 * what they need with bpf_xdp_load_bytes, which fails (and so leaves the run at
 * XDP_PASS, silent) whenever the frame is too short. The slot is a u32 variable, the
 * table declared with key_size/value_size instead of types, with 512 slots. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 512);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jmp_table SEC(".maps");

/* where the transport header starts, or 0 when the frame holds no whole IPv4 header */
static __always_inline __u32 l4_offset(struct xdp_md *ctx, __u8 *proto)
{
	__u8 type[2], first, hdr[20];
	if (bpf_xdp_load_bytes(ctx, 12, type, 2) || type[0] != 0x08 || type[1] != 0x00)
		return 0;
	if (bpf_xdp_load_bytes(ctx, 14, hdr, 20))
		return 0;
	first = hdr[0];
	if ((first >> 4) != 4 || (first & 0xf) < 5)
		return 0;
	__u32 ihl = (first & 0xf) * 4;
	__u8 last;
	/* the whole header, options included, must be in the frame */
	if (bpf_xdp_load_bytes(ctx, 14 + ihl - 1, &last, 1))
		return 0;
	*proto = hdr[9];
	return 14 + ihl;
}

static __always_inline int port_at(struct xdp_md *ctx, __u32 off)
{
	__u8 p[2];
	if (off > 14 + 60 || bpf_xdp_load_bytes(ctx, off + 2, p, 2))
		return -1;
	return (p[0] << 8) | p[1];
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 proto = 0;
	if (!l4_offset(ctx, &proto))
		return XDP_PASS;
	__u32 slot = proto;
	bpf_tail_call(ctx, &jmp_table, slot);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	__u8 proto = 0;
	__u32 off = l4_offset(ctx, &proto);
	int port = off ? port_at(ctx, off) : -1;
	if (port >= 0) {
		static const char fmt[] = "tcp %d";
		bpf_trace_printk(fmt, sizeof(fmt), port);
	}
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	__u8 proto = 0;
	__u32 off = l4_offset(ctx, &proto);
	int port = off ? port_at(ctx, off) : -1;
	if (port >= 0) {
		static const char fmt[] = "udp %d";
		bpf_trace_printk(fmt, sizeof(fmt), port);
	}
	return XDP_PASS;
}
