// expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call
/* Wrong: takes the first argument (the directory descriptor) for the struct filename. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("kprobe/do_unlinkat")
int on_unlink(struct pt_regs *ctx)
{
	struct filename *fn = (struct filename *)PT_REGS_PARM1_CORE(ctx);
	char buf[128] = {};

	bpf_probe_read_kernel_str(buf, sizeof(buf), BPF_CORE_READ(fn, name));
	bpf_printk("unlink: %s", buf);
	return 0;
}
