// Looks for the byte 7 anywhere in the options instead of walking them: a Timestamp's
// data, or the padding after End of Options, is mistaken for Record Route.
// expect-fail: seven-inside-timestamp-passed, rr-after-end-passed
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int scan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	unsigned int len = ip->ihl * 4;
	if (len <= 20 || (void *)ip + len > data_end)
		return XDP_PASS;
	unsigned char *opts = (void *)(ip + 1);
	for (unsigned int i = 0; i < 40 && i < len - 20; i++) {
		unsigned char *p = opts + i;
		if ((void *)(p + 1) > data_end)
			break;
		if (*p == IPOPT_RR)
			return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
