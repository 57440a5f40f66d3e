/* Copies both addresses out with __builtin_memcpy and back swapped, after requiring the
 * whole 20-byte IPv4 header with one comparison; EtherType read as one 16-bit word. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int bounce(struct xdp_md *ctx)
{
	__u8 *p = (void *)(long)ctx->data;
	__u8 *end = (void *)(long)ctx->data_end;
	if (p + 34 > end)
		return XDP_PASS;
	if (*(__u16 *)(p + 12) != bpf_htons(0x0800))
		return XDP_PASS;
	__u8 a[6], b[6];
	__builtin_memcpy(a, p, 6);
	__builtin_memcpy(b, p + 6, 6);
	__builtin_memcpy(p, b, 6);
	__builtin_memcpy(p + 6, a, 6);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
