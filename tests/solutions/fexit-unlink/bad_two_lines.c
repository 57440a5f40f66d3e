// expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call
/* Wrong: prints the path at entry and the return value at exit, two lines per call. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("fentry/do_unlinkat")
int BPF_PROG(in, int dfd, struct filename *name)
{
	char buf[128];

	bpf_probe_read_kernel_str(buf, sizeof(buf), name->name);
	bpf_printk("unlink: %s", buf);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(out, int dfd, struct filename *name, int ret)
{
	bpf_printk("ret=%d", ret);
	return 0;
}
