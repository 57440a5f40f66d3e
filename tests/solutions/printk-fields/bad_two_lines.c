/* expect-fail: ipv4-udp-fields, arp-fields, ipv6-fields, odd-ethertype-fields, small-ethertype-fields, one-line-per-packet
 * Prints the length and the EtherType on two separate lines. */
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

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	bpf_printk("len=%d", (int)(data_end - data));
	bpf_printk("proto=0x%x", bpf_ntohs(eth->h_proto));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
