/* The action as a number (XDP_DROP == 1), a void * context, the license first. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char __license[] SEC("license") = "GPL";

SEC("xdp")
int drop_everything(void *ctx)
{
	return 1;
}
