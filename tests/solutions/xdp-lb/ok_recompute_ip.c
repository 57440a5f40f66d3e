/* A stranger's program: the IPv4 header checksum recomputed from scratch in a
 * bounded loop over the header words, the TCP one patched incrementally, and the
 * backend copied out of the map first. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct backend {
	__u32 addr;
	__u8 mac[6];
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

SEC("xdp")
int lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	int words = ip->ihl * 2;
	if (words < 10 || (void *)ip + words * 2 > end)
		return XDP_PASS;
	if (ip->protocol != 6 || ip->daddr != bpf_htonl(0xcb00710a))
		return XDP_PASS;
	struct tcphdr *tcp = (void *)ip + words * 2;
	if ((void *)(tcp + 1) > end || tcp->dest != bpf_htons(80))
		return XDP_PASS;

	__u32 key = bpf_ntohs(tcp->source) % 4;
	struct backend *found = bpf_map_lookup_elem(&backends, &key);
	if (!found)
		return XDP_PASS;
	struct backend be = *found;

	/* TCP: ~(~old + ~a_old + a_new) over the two 16-bit halves */
	__u32 s = (__u16)~tcp->check;
	s += (__u16)~(ip->daddr & 0xffff) + (__u16)~(ip->daddr >> 16);
	s += (be.addr & 0xffff) + (be.addr >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	tcp->check = (__u16)~s;

	ip->daddr = be.addr;
	ip->check = 0;
	__u32 sum = 0;
	__u16 *w = (void *)ip;
	for (int i = 0; i < 30; i++) {
		if (i >= words || (void *)(w + i + 1) > end)
			break;
		sum += w[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~sum;

	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be.mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
