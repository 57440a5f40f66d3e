/* Walks the options with bpf_loop and a callback instead of an open-coded iterator; the
 * walk's state lives in a struct the callback receives. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct walk {
	struct xdp_md *ctx;
	__u32 at, end;
	int found;
};

static long step(__u64 index, void *data)
{
	struct walk *w = data;
	__u8 head[2];

	if (w->at >= w->end || bpf_xdp_load_bytes(w->ctx, w->at, head, 1))
		return 1;
	if (head[0] == IPOPT_END)
		return 1;
	if (head[0] == IPOPT_NOOP) {
		w->at += 1;
		return 0;
	}
	if (w->at + 2 > w->end || bpf_xdp_load_bytes(w->ctx, w->at, head, 2))
		return 1;
	if (head[1] < 2 || w->at + head[1] > w->end)
		return 1;
	if (head[0] == IPOPT_RR) {
		w->found = 1;
		return 1;
	}
	w->at += head[1];
	return 0;
}

SEC("xdp")
int drop_rr(struct xdp_md *ctx)
{
	__u8 first[2];
	__u8 vihl;

	if (bpf_xdp_load_bytes(ctx, 12, first, 2) || first[0] != 0x08 || first[1] != 0x00)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 14, &vihl, 1))
		return XDP_PASS;
	__u32 hl = (vihl & 0x0f) * 4;
	if (hl < 20 || bpf_xdp_get_buff_len(ctx) < 14 + hl)
		return XDP_PASS;
	struct walk w = { .ctx = ctx, .at = 14 + 20, .end = 14 + hl, .found = 0 };
	bpf_loop(40, step, &w, 0);
	return w.found ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
