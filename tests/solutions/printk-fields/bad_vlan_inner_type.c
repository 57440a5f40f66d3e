/* expect-fail: generated-traffic
 * Looks through an 802.1Q tag and prints the inner EtherType instead of 0x8100. */
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
	__u16 proto = bpf_ntohs(eth->h_proto);
	if ((proto == 0x8100 || proto == 0x88a8) && data + 18 <= data_end)
		proto = bpf_ntohs(*(__be16 *)(data + 16));
	bpf_printk("len=%ld proto=0x%x", data_end - data, proto);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
