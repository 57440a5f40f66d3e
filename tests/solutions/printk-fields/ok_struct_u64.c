/* struct ethhdr cast, length as a 64-bit difference printed with %llu, explicit fmt array. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int show(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	char fmt[] = "len=%llu proto=0x%x\n";
	__u64 len = (__u64)(data_end - data);

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	bpf_trace_printk(fmt, sizeof(fmt), len, (unsigned int)bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
