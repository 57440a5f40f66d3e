// A classic bounded loop, no iterator: the verifier walks it once per iteration, for
// every path through its body, and gives up at its one-million-instruction limit.
// expect-stage: load
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int rr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	unsigned int hlen = ip->ihl * 4;
	if (hlen < 20 || (void *)ip + hlen > data_end)
		return XDP_PASS;
	unsigned char *opts = (void *)(ip + 1);
	unsigned int len = hlen - 20, i = 0;
	for (int n = 0; n < 40 && i < len; n++) {
		unsigned char *p = opts + (i & 63);
		if ((void *)(p + 1) > data_end || p[0] == IPOPT_END)
			return XDP_PASS;
		if (p[0] == IPOPT_NOOP) {
			i++;
			continue;
		}
		if ((void *)(p + 2) > data_end || p[1] < 2 || i + p[1] > len)
			return XDP_PASS;
		if (p[0] == IPOPT_RR)
			return XDP_DROP;
		i += p[1];
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
