// A correct program: byte offsets instead of structs, bpf_ntohs on the port.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 14 + 20 > data_end)
		return XDP_PASS;
	if (*(__u16 *)(data + 12) != bpf_htons(0x0800))
		return XDP_PASS;
	__u8 vihl = *(__u8 *)(data + 14);
	if (*(__u8 *)(data + 14 + 9) != 17)
		return XDP_PASS;
	__u32 l4 = 14 + (vihl & 0x0f) * 4;
	if (l4 > 14 + 60)
		return XDP_PASS;
	if (data + l4 + 8 > data_end)
		return XDP_PASS;
	__u16 dport = *(__u16 *)(data + l4 + 2);
	if (bpf_ntohs(dport) == 9999)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
