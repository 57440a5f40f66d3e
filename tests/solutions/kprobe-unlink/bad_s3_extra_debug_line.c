/* Wrong: prints the right `unlink: <path>` line, and then a second debugging line with
 * dfd. Breaks "in the harness's process the trace holds exactly one such line per call
 * and nothing else".
 * expect-fail: removes-a-file, one-line-per-call */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(chatty, int dfd, struct filename *name)
{
	char buf[64];
	const char *p = BPF_CORE_READ(name, name);

	bpf_probe_read_kernel_str(buf, sizeof(buf), p);
	bpf_printk("unlink: %s", buf);
	bpf_printk("  (dfd=%d)", dfd);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
