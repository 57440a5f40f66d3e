#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
SEC("xdp") int prog(struct xdp_md *ctx)
{
    __u32 *slot = bpf_ringbuf_reserve(&events, sizeof(*slot), 0);
    if (!slot)
        return XDP_PASS;
    *slot = 1;
    return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
