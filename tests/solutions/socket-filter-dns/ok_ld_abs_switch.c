/* A stranger in the classic-BPF tradition: LD_ABS byte/half loads through clang's
 * llvm.bpf.load.* builtins (they return host order and end the program with 0 when the
 * offset is past the end), a switch on skb->protocol, and -1 to keep. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket")
int dns_only(struct __sk_buff *skb)
{
	unsigned long long ihl;

	switch (bpf_ntohs(skb->protocol)) {
	case ETH_P_IP:
		break;
	default:
		return 0;
	}
	if (load_byte(skb, 9) != IPPROTO_UDP)
		return 0;
	ihl = (load_byte(skb, 0) & 0x0f) << 2;
	if (ihl < 20)
		return 0;
	if (load_half(skb, ihl + 2) != 53)
		return 0;
	return -1;
}
