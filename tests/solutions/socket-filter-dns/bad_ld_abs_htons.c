// expect-fail: dns-query-kept, byte-swapped-port-dropped
/* Wrong: LD_ABS loads already return host order; comparing with bpf_htons(53) looks for
 * port 13568 instead. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket")
int filter(struct __sk_buff *skb)
{
	unsigned long long ihl;

	if (skb->protocol != bpf_htons(ETH_P_IP) || load_byte(skb, 9) != IPPROTO_UDP)
		return 0;
	ihl = (load_byte(skb, 0) & 0xf) * 4;
	if (load_half(skb, ihl + 2) != bpf_htons(53))
		return 0;
	return -1;
}
