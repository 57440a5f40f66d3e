// A correct program: reads the two EtherType bytes one by one, bpf_trace_printk.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	unsigned char *p = (void *)(long)ctx->data;
	unsigned char *end = (void *)(long)ctx->data_end;

	if (p + 14 > end)
		return XDP_PASS;
	int proto = (p[12] << 8) | p[13];
	int len = end - p;
	const char fmt[] = "len=%d proto=0x%x";
	bpf_trace_printk(fmt, sizeof(fmt), len, proto);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
