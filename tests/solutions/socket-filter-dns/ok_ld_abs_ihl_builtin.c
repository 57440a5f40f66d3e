/* Classic-style byte loads with the LD_ABS builtins; IHL from the first byte; keeps with
 * skb->len. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (load_byte(skb, 9) != IPPROTO_UDP)
		return 0;
	__u32 hl = (load_byte(skb, 0) & 0xf) << 2;
	if (hl < 20)
		return 0;
	if (load_half(skb, hl + 2) != 53)   /* out of range: LD_ABS ends the program with 0 */
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
