/* Wrong: hard-codes what the harness removes. It prints only for paths that contain
 * `bpflab-`, i.e. the names the lesson says the harness uses, and ignores every other
 * removal. Breaks "for each call prints exactly one line `unlink: <path>`".
 * expect-fail: every-call-counts */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(picky, int dfd, struct filename *name)
{
	char buf[64];
	const char *p = BPF_CORE_READ(name, name);
	int i, found = 0;

	bpf_probe_read_kernel_str(buf, sizeof(buf), p);
	for (i = 0; i < 56; i++) {
		if (buf[i] == 'b' && buf[i + 1] == 'p' && buf[i + 2] == 'f' && buf[i + 3] == 'l' &&
		    buf[i + 4] == 'a' && buf[i + 5] == 'b' && buf[i + 6] == '-') {
			found = 1;
			break;
		}
	}
	if (found)
		bpf_printk("unlink: %s", buf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
