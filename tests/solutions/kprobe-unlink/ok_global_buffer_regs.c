/* A stranger's kprobe without BPF_KPROBE: the second argument taken from the raw
 * struct pt_regs register (rsi on x86-64, via PT_REGS_PARM2_CORE), the path copied into a
 * global (.bss) buffer with bpf_core_read_str, printed with bpf_trace_printk directly. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "GPL";

char path_buf[256];

SEC("kprobe/do_unlinkat")
int trace_it(struct pt_regs *ctx)
{
	struct filename *fn = (struct filename *)PT_REGS_PARM2_CORE(ctx);
	const char *kname = BPF_CORE_READ(fn, name);
	static const char fmt[] = "unlink: %s";

	if (!kname)
		return 0;
	bpf_core_read_str(path_buf, sizeof(path_buf), kname);
	bpf_trace_printk(fmt, sizeof(fmt), path_buf);
	return 0;
}
