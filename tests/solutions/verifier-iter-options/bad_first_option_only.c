// Looks at the first option only: Record Route after a NOP or a Timestamp goes through.
// expect-fail: rr-after-nops-dropped, rr-after-timestamp-dropped, rr-after-router-alert-dropped
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int first(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl <= 5 || (void *)ip + ip->ihl * 4 > data_end)
		return XDP_PASS;
	unsigned char *opt = (void *)(ip + 1);
	if ((void *)(opt + 1) > data_end)
		return XDP_PASS;
	return opt[0] == IPOPT_RR ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
