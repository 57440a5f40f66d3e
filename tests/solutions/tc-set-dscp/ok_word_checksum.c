/* Rewrites the first 16-bit word of the IPv4 header (version, IHL, TOS) through direct
 * packet access and folds the checksum update by hand (RFC 1624): HC' = ~(~HC + ~m + m'). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("tc")
int ef(struct __sk_buff *skb)
{
	unsigned char *p = (void *)(long)skb->data;
	unsigned char *end = (void *)(long)skb->data_end;
	__u16 *word, *csum, old, new;
	__u32 sum;

	if (p + 34 > end || p[12] != 0x08 || p[13] != 0x00)
		return TC_ACT_OK;
	word = (__u16 *)(p + 14);
	csum = (__u16 *)(p + 24);
	old = bpf_ntohs(*word);
	new = (old & 0xff03) | (46 << 2);
	sum = (__u16)~bpf_ntohs(*csum) + (__u16)~old + new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*word = bpf_htons(new);
	*csum = bpf_htons(~sum & 0xffff);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
