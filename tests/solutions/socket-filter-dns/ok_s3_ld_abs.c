/* A correct socket-filter-dns written like classic BPF: LD_ABS/LD_IND loads through LLVM's
 * llvm.bpf.load.* intrinsics (big-endian values, and the program ends with 0 by itself
 * when a load runs past the packet, which drops truncated packets), skb->protocol checked
 * for ETH_P_IP, and -1 returned to keep the packet. Keeps a packet cut after its
 * destination port, as tcpdump's `udp dst port 53` does (the contract leaves that open). */
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
	unsigned long long hlen;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (load_byte(skb, 9) != IPPROTO_UDP)
		return 0;
	hlen = (load_byte(skb, 0) & 0x0f) * 4;
	if (hlen < 20)
		return 0;
	if (load_half(skb, hlen + 2) != 53)
		return 0;
	return -1;
}

char LICENSE[] SEC("license") = "GPL";
