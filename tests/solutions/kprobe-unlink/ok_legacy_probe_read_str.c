/* A stranger from older tutorials: the deprecated bpf_probe_read / bpf_probe_read_str
 * helpers (still allowed for kprobes on x86-64, where user and kernel addresses do not
 * overlap), PT_REGS_PARM2 without CO-RE, and a "GPL v2" license string. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL v2";

SEC("kprobe/do_unlinkat")
int kprobe__do_unlinkat(struct pt_regs *ctx)
{
	struct filename *fn = (struct filename *)PT_REGS_PARM2(ctx);
	const char *p = NULL;
	char path[256];

	bpf_probe_read(&p, sizeof(p), &fn->name);
	if (bpf_probe_read_str(path, sizeof(path), p) > 0)
		bpf_printk("unlink: %s", path);
	return 0;
}
