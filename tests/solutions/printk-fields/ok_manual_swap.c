// A correct program: swaps the EtherType bytes by hand and prints unsigned values.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = ctx->data_end - ctx->data;

	if (data + sizeof(*eth) > data_end)
		return XDP_PASS;
	__u16 raw = eth->h_proto;
	__u32 proto = ((raw & 0xff) << 8) | (raw >> 8);
	bpf_printk("len=%u proto=0x%x\n", len, proto);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
