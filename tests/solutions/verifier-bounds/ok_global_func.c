/* The TTL test in a global (non-static) function, which the verifier checks on its own
 * with only the context as argument. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

__attribute__((noinline)) int expired(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN + sizeof(struct iphdr) > data_end)
		return 0;
	struct ethhdr *eth = data;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	struct iphdr *ip = data + ETH_HLEN;
	return ip->ttl <= 1;
}

SEC("xdp")
int ttl_guard(struct xdp_md *ctx)
{
	return expired(ctx) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
