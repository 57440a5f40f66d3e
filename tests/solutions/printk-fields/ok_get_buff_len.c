/* Length from bpf_xdp_get_buff_len, EtherType via bpf_xdp_load_bytes, %u and %x. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	__u16 proto_be = 0;
	__u32 len = bpf_xdp_get_buff_len(ctx);

	if (bpf_xdp_load_bytes(ctx, 12, &proto_be, sizeof(proto_be)) < 0)
		return XDP_PASS;
	bpf_printk("len=%u proto=0x%x", len, bpf_ntohs(proto_be));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
