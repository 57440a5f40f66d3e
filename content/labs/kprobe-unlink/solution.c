// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* int do_unlinkat(int dfd, struct filename *name): unlink(2) and unlinkat(2) both end
 * up here. BPF_KPROBE names the arguments, taking them from the saved registers. */
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlink, int dfd, struct filename *name)
{
	char path[256];

	/* name->name points at the path string, in kernel memory: first read the pointer
	 * (BPF_CORE_READ, relocated for the running kernel's layout), then the string */
	const char *p = BPF_CORE_READ(name, name);
	if (bpf_probe_read_kernel_str(path, sizeof(path), p) < 0)
		return 0;
	bpf_printk("unlink: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
