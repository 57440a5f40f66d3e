// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* int do_unlinkat(int dfd, struct filename *name)
 * fentry runs as the function is entered, fexit as it returns, with the arguments
 * AND the return value. */

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	/* TODO: the path is still readable here. Save a copy of the string where the
	 * fexit program can find it for the same call (a hash map keyed by
	 * bpf_get_current_pid_tgid() works). */
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, int ret)
{
	char path[256] = "";

	/* This reads name after do_unlinkat released it with putname(): the memory is
	 * already freed (and zeroed in the sandbox), so the path comes out empty.
	 * TODO: print the copy saved at entry instead, then delete it. */
	bpf_probe_read_kernel_str(path, sizeof(path), name->name);
	bpf_printk("unlink: %s ret=%d", path, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
