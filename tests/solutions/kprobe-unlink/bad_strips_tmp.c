// expect-fail: removes-a-file, missing-file, one-line-per-call
/* Wrong: strips the /tmp/ directory ("bpflab-..." instead of "/tmp/bpflab-..."), which
 * happens to match the relative-path case but not the absolute ones. */
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
	/* "strip the directory": everything after a leading /tmp/ */
	if (buf[0] == '/' && buf[1] == 't' && buf[2] == 'm' && buf[3] == 'p' && buf[4] == '/')
		bpf_printk("unlink: %s", &buf[5]);
	else
		bpf_printk("unlink: %s", buf);
	return 0;
}
