/* Drops every frame, after summing 0..9 with an open-coded iterator (kfuncs of 6.4 on). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("xdp")
int drop(struct xdp_md *ctx)
{
	struct bpf_iter_num it;
	int *i, n = 0;
	bpf_iter_num_new(&it, 0, 10);
	while ((i = bpf_iter_num_next(&it)))
		n += *i;
	bpf_iter_num_destroy(&it);
	return n == 45 ? XDP_DROP : XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
