/* A stranger's program: classic-BPF style absolute loads (LD_ABS through LLVM's
 * intrinsics, offsets from the network header, network order converted for us), and
 * -1 to keep the whole packet. A load past the end ends the program with 0. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	if (skb->protocol != __builtin_bswap16(0x0800))
		return 0;
	if (load_byte(skb, 9) != 17)
		return 0;
	unsigned long long hlen = (load_byte(skb, 0) & 0x0f) << 2;
	if (hlen < 20)
		return 0;
	if (load_half(skb, hlen + 2) != 53)
		return 0;
	return -1;
}

char _license[] SEC("license") = "GPL";
