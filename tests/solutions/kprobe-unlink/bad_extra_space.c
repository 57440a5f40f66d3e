// expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call
/* Wrong: a tab after the colon instead of one space. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd, struct filename *name)
{
	char buf[128];

	if (bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(name, name)) < 0)
		return 0;
	bpf_printk("unlink:\t%s", buf);
	return 0;
}
