/* A correct socket-filter-dns that reads with bpf_skb_load_bytes_relative from the
 * network header (so it would work on any socket type), wants the whole 8-byte UDP
 * header (the contract leaves a packet cut between the port and the header's end open),
 * and keeps a packet by returning skb->len. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("socket")
int keep_dns(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct udphdr udp;
	__u32 hlen;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip), BPF_HDR_START_NET) < 0)
		return 0;
	if (ip.protocol != IPPROTO_UDP || ip.ihl < 5)
		return 0;
	hlen = ip.ihl * 4;
	if (bpf_skb_load_bytes_relative(skb, hlen, &udp, sizeof(udp), BPF_HDR_START_NET) < 0)
		return 0;
	if (udp.dest != bpf_htons(53))
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
