// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h" /* every type of the running kernel, made from its BTF */
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* The kernel function behind unlink(2) and unlinkat(2), in fs/namei.c:
 *     int do_unlinkat(int dfd, struct filename *name);
 * struct filename holds the path as the process passed it in its `name` field. */
SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlink, int dfd, struct filename *name)
{
	char path[256] = "";

	/* TODO: name->name is a pointer into kernel memory. Read that pointer with
	 * BPF_CORE_READ(), then copy the string it points to into path[] with
	 * bpf_probe_read_kernel_str(), and print "unlink: <path>". */
	bpf_printk("unlink: %s", path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
