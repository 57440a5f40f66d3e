/* Sets TOS, then recomputes the whole header checksum (options included) in a bounded
 * loop over 16-bit words, the checksum field zeroed first. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int set_ef(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	__u16 *word = (__u16 *)iph;
	__u32 sum = 0, words;
	int i;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	words = iph->ihl * 2;
	if (iph->ihl < 5 || (void *)iph + iph->ihl * 4 > data_end)
		return TC_ACT_OK;	/* the header does not fit: not an IPv4 packet */
	iph->tos = (iph->tos & 0x03) | (0x2e << 2);
	iph->check = 0;
	for (i = 0; i < 30; i++) {
		if (i >= words)
			break;
		if ((void *)(word + i + 1) > data_end)
			break;
		sum += word[i];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	iph->check = (__u16)~sum;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
