/* expect-fail: rr-after-bad-length-passed
 * A malformed option length (below 2) is stepped over like a NOP instead of ending the
 * walk, so Record Route bytes after it count. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("xdp")
int drop_rr(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 end = ip->ihl * 4;
	if (end < sizeof(*ip) || (void *)ip + end > data_end)
		return XDP_PASS;
	end += sizeof(*eth);
	__u32 at = sizeof(*eth) + sizeof(*ip);
	int action = XDP_PASS;
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 40);
	while (bpf_iter_num_next(&it)) {
		__u8 head[2] = {};
		if (at >= end || bpf_xdp_load_bytes(ctx, at, head, 1))
			break;
		if (head[0] == IPOPT_END)
			break;
		if (head[0] == IPOPT_NOOP) {
			at += 1;
			continue;
		}
		if (head[0] == IPOPT_RR) {
			action = XDP_DROP;
			break;
		}
		if (at + 2 > end || bpf_xdp_load_bytes(ctx, at, head, 2))
			break;
		if (head[1] < 2) {     /* "tolerant": skip the byte and go on */
			at += 1;
			continue;
		}
		if (at + head[1] > end)
			break;
		at += head[1];
	}
	bpf_iter_num_destroy(&it);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
