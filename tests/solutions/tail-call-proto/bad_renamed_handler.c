/* expect-stage: load
 * The handlers' names are part of the contract: the platform stores handle_tcp and
 * handle_udp by name. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} jmp_table SEC(".maps");

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int tcp_handler(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int udp_handler(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
