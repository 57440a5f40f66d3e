/* A stranger's program: bpf_skb_load_bytes_relative from the network header, the
 * header length computed with a shift, and a generous constant to keep everything. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int filter(struct __sk_buff *skb)
{
	__u8 first, proto;
	__be16 dport;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes_relative(skb, 0, &first, 1, BPF_HDR_START_NET))
		return 0;
	if (bpf_skb_load_bytes_relative(skb, 9, &proto, 1, BPF_HDR_START_NET) || proto != 17)
		return 0;
	__u32 off = (first & 0xf) << 2;
	if (off < 20)
		return 0;
	if (bpf_skb_load_bytes_relative(skb, off + 2, &dport, 2, BPF_HDR_START_NET))
		return 0;
	return dport == bpf_htons(53) ? 0x7fffffff : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
