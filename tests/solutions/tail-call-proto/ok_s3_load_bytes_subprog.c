/* A correct tail-call-proto that never touches data/data_end: every read goes through
 * bpf_xdp_load_bytes, the handlers share one static __noinline BPF-to-BPF function (tail
 * calls and subprograms mixed, each frame well under 256 bytes of stack), the protocol
 * index is passed as a __u32 variable, and the lines are printed with bpf_trace_printk. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 512);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

/* offset of the L4 header of an IPv4 frame, or -1; *proto gets the protocol */
static __noinline int l4_offset(struct xdp_md *ctx, __u8 *proto)
{
	__u16 ethertype;
	__u8 vihl;

	if (bpf_xdp_load_bytes(ctx, 12, &ethertype, 2) < 0 || ethertype != bpf_htons(0x0800))
		return -1;
	if (bpf_xdp_load_bytes(ctx, 14, &vihl, 1) < 0 || (vihl & 0x0f) < 5)
		return -1;
	{
		__u8 last;
		int hlen = (vihl & 0x0f) * 4;

		/* the whole IPv4 header, options included, must be in the frame */
		if (bpf_xdp_load_bytes(ctx, 14 + hlen - 1, &last, 1) < 0)
			return -1;
		if (bpf_xdp_load_bytes(ctx, 14 + 9, proto, 1) < 0)
			return -1;
		return 14 + hlen;
	}
}

static __noinline int print_port(struct xdp_md *ctx, int is_udp)
{
	__u8 proto;
	__be16 port;
	int off = l4_offset(ctx, &proto);

	if (off < 0 || bpf_xdp_load_bytes(ctx, off + 2, &port, sizeof(port)) < 0)
		return XDP_PASS;
	if (is_udp) {
		char fmt[] = "udp %u";
		bpf_trace_printk(fmt, sizeof(fmt), bpf_ntohs(port));
	} else {
		char fmt[] = "tcp %u";
		bpf_trace_printk(fmt, sizeof(fmt), bpf_ntohs(port));
	}
	return XDP_PASS;
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 proto;
	__u32 index;

	if (l4_offset(ctx, &proto) < 0)
		return XDP_PASS;
	index = proto;
	bpf_tail_call(ctx, &jmp_table, index);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	return print_port(ctx, 0);
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	return print_port(ctx, 1);
}

char _license[] SEC("license") = "GPL";
