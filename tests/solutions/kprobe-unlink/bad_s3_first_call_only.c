/* Wrong: prints the path correctly, but only for the first do_unlinkat call after the
 * load (a global flag), then stays silent. Breaks "for each call prints exactly one line
 * `unlink: <path>`" and "in the harness's process the trace holds exactly one such line
 * per call".
 * expect-fail: one-line-per-call */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

int printed = 0;

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(once, int dfd, struct filename *name)
{
	char buf[64];
	const char *p;

	if (printed)
		return 0;
	printed = 1;
	p = BPF_CORE_READ(name, name);
	bpf_probe_read_kernel_str(buf, sizeof(buf), p);
	bpf_printk("unlink: %s", buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
