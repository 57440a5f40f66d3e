/* Also looks through one 802.1Q tag (not required, not tested against), TTL compared as
 * "ttl - 1 <= 0" on an int. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct vlan_tag {
	__be16 tci;
	__be16 inner_proto;
};

SEC("xdp")
int ttl_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = (void *)(eth + 1);
	__be16 proto;
	struct iphdr *ip;

	if (l3 > data_end)
		return XDP_PASS;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_tag *tag = l3;

		if ((void *)(tag + 1) > data_end)
			return XDP_PASS;
		proto = tag->inner_proto;
		l3 = (void *)(tag + 1);
	}
	if (proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = l3;
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if ((int)ip->ttl - 1 <= 0)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
