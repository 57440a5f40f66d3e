/* expect-fail: arp-fields, small-ethertype-fields */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int fields(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	bpf_printk("len=%ld proto=0x%04x", (long)(data_end - data), bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
