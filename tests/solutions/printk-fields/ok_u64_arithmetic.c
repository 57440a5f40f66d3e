/* The length as the difference of two __u64 pointers printed with %llu, the EtherType
 * assembled from two bytes and printed with %lx from a long. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	__u64 start = ctx->data, stop = ctx->data_end;
	unsigned char *p = (void *)(long)ctx->data;
	long type;

	if ((void *)(p + 14) > (void *)(long)ctx->data_end)
		return XDP_PASS;
	type = ((long)p[12] << 8) | p[13];
	bpf_printk("len=%llu proto=0x%lx", stop - start, type);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
