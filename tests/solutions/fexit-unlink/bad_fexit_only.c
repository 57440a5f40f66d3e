/* expect-stage: load
 * One program: the lab wants an fentry and an fexit program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("fexit/do_unlinkat")
int BPF_PROG(exit_unlink, int dfd, struct filename *name, int ret)
{
	bpf_printk("unlink: ? ret=%d", ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
