// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* The open-coded number iterator (Linux 6.4 and newer): kernel functions (kfuncs),
 * declared here as newer kernels' headers declare them. */
struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("xdp")
int drop_record_route(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__u32 end = ip->ihl * 4; /* a header cut short by the frame's end is no IPv4 packet */
	if (end < sizeof(*ip) || (void *)ip + end > data_end)
		return XDP_PASS;
	end += sizeof(*eth);                      /* frame offset one past the options */
	__u32 at = sizeof(*eth) + sizeof(*ip);    /* frame offset of the first option */
	int action = XDP_PASS;
	struct bpf_iter_num it;

	bpf_iter_num_new(&it, 0, 40); /* at most 40 bytes of options: at most 40 of them */
	while (bpf_iter_num_next(&it)) {
		__u8 head[2] = {};
		if (at >= end || bpf_xdp_load_bytes(ctx, at, head, 1))
			break;
		/* TODO: IPOPT_END ends the walk; IPOPT_NOOP is one byte; any other option has
		 * its length in its second byte (at least 2, and inside the options): read it
		 * with bpf_xdp_load_bytes(ctx, at, head, 2). Meeting IPOPT_RR drops the packet.
		 * (All three from <linux/ip.h>.) */
		break;
	}
	bpf_iter_num_destroy(&it);
	return action;
}

char LICENSE[] SEC("license") = "GPL";
