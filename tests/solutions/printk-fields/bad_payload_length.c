/* expect-fail: ipv4-udp-fields, arp-fields */
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
	/* the length after the Ethernet header, not the frame length */
	bpf_printk("len=%ld proto=0x%x", (long)(data_end - (void *)(eth + 1)),
		   bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
