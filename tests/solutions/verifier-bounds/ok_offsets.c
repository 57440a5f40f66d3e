// A correct program: one bounds check for both headers, byte offsets.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ttl_guard(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + 14 + 20 > data_end)
		return XDP_PASS;
	if (*(unsigned char *)(data + 12) != 0x08 || *(unsigned char *)(data + 13) != 0x00)
		return XDP_PASS;
	unsigned char ttl = *(unsigned char *)(data + 14 + 8);
	return ttl < 2 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
