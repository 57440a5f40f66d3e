/* expect-stage: load
 * A kretprobe is not the lab's hook (and at return the name is already freed). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(trace_unlink_ret, int ret)
{
	bpf_printk("unlink: ret=%d", ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
