/* A stranger puts the parsing in a global (non-static, __noinline) BPF subprogram that
 * the verifier checks once on its own, reading the frame with bpf_xdp_load_bytes; the
 * slot is the protocol byte itself. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 512);
	__uint(key_size, 4);
	__uint(value_size, 4);
} jmp_table SEC(".maps");

/* offset of the transport header (>= 34), or -1 when the frame is not a whole IPv4 header;
 * *proto gets the protocol byte */
__noinline int l4_offset(struct xdp_md *ctx, __u8 *proto)
{
	__u8 ip[20];
	__be16 type;
	int hlen;

	if (!proto)
		return -1;
	if (bpf_xdp_load_bytes(ctx, 12, &type, sizeof(type)) || type != bpf_htons(ETH_P_IP))
		return -1;
	if (bpf_xdp_load_bytes(ctx, 14, ip, sizeof(ip)))
		return -1;
	hlen = (ip[0] & 0x0f) * 4;
	if (hlen < 20 || 14 + hlen > (int)(ctx->data_end - ctx->data))
		return -1;
	*proto = ip[9];
	return 14 + hlen;
}

__noinline int dest_port(struct xdp_md *ctx)
{
	__u8 proto;
	__be16 port;
	int off = l4_offset(ctx, &proto);

	if (off < 0 || off > 74)
		return -1;
	if (bpf_xdp_load_bytes(ctx, off + 2, &port, sizeof(port)))
		return -1;
	return bpf_ntohs(port);
}

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 proto = 0;

	if (l4_offset(ctx, &proto) < 0)
		return XDP_PASS;
	bpf_tail_call(ctx, &jmp_table, proto);
	return XDP_PASS;
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	int port = dest_port(ctx);

	if (port < 0)
		return XDP_PASS;
	bpf_printk("tcp %d", port);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	int port = dest_port(ctx);

	if (port < 0)
		return XDP_PASS;
	bpf_printk("udp %d", port);
	return XDP_PASS;
}
