/* expect-fail: added-prefix-dropped, removed-prefix-passed
 * Never asks the map: the three prefixes of the lesson are written into the program. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct key4 { __u32 prefixlen; __u32 addr; };

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 64);
	__type(key, struct key4);
	__type(value, __u32);
} blocklist SEC(".maps");

SEC("xdp")
int block(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	__u32 s = bpf_ntohl(ip->saddr);
	if ((s >> 8) == 0xc00002)                /* 192.0.2.0/24 */
		return XDP_DROP;
	if ((s >> 7) == (0xcb007180 >> 7))       /* 203.0.113.128/25 */
		return XDP_DROP;
	if (s == 0xc6336407)                     /* 198.51.100.7/32 */
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
