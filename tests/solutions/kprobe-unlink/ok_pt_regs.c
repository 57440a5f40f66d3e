/* A stranger's program: no BPF_KPROBE macro, the raw pt_regs and PT_REGS_PARM2,
 * the pointer read with bpf_core_read and the string with bpf_core_read_str. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char _license[] SEC("license") = "Dual BSD/GPL";

SEC("kprobe/do_unlinkat")
int on_unlink(struct pt_regs *ctx)
{
	struct filename *fn = (struct filename *)PT_REGS_PARM2(ctx);
	const char *ptr = 0;
	char text[128];

	if (bpf_core_read(&ptr, sizeof(ptr), &fn->name))
		return 0;
	if (bpf_core_read_str(text, sizeof(text), ptr) <= 0)
		return 0;
	bpf_printk("unlink: %s", text);
	return 0;
}
