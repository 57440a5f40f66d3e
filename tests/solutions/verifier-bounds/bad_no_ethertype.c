/* expect-fail: arp-passed */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ttl_guard(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	return ip->ttl <= 1 ? XDP_DROP : XDP_PASS; /* every frame read as IPv4 */
}

char LICENSE[] SEC("license") = "GPL";
