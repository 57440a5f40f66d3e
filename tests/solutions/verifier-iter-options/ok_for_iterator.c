// The iterator as a for loop over its counter, two bytes read per option (an End or a
// NOP at the options' last byte has no second byte: read one then).
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
int prog(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	int last = 14 + ip->ihl * 4; /* one past the options */
	if (ip->ihl < 5 || (void *)eth + last > data_end)
		return XDP_PASS;
	int pos = 34, found = 0;
	struct bpf_iter_num it;
	int *n;
	bpf_iter_num_new(&it, 0, 40);
	for (n = bpf_iter_num_next(&it); n && pos < last; n = bpf_iter_num_next(&it)) {
		__u8 b[2] = {};
		int want = pos + 1 < last ? 2 : 1;
		if (bpf_xdp_load_bytes(ctx, pos, b, want))
			break;
		if (b[0] == IPOPT_END)
			break;
		if (b[0] == IPOPT_NOOP) {
			pos++;
			continue;
		}
		if (want < 2 || b[1] < 2 || pos + b[1] > last)
			break;
		if (b[0] == IPOPT_RR) {
			found = 1;
			break;
		}
		pos += b[1];
	}
	bpf_iter_num_destroy(&it);
	return found ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
