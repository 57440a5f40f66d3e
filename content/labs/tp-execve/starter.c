// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The tracepoint's arguments, as described in
 * /sys/kernel/tracing/events/syscalls/sys_enter_execve/format */
struct execve_args {
	unsigned long long common; /* common fields: type, flags, preempt count, pid */
	long syscall_nr;
	const char *filename; /* a pointer into the calling process's memory */
	const char *const *argv;
	const char *const *envp;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_execve(struct execve_args *ctx)
{
	char filename[64];

	/* TODO: ctx->filename points into user memory: a BPF program may not read
	 * it directly. Copy the string into filename[] with
	 * bpf_probe_read_user_str(), then print "execve: <filename>". */
	filename[0] = '\0';
	bpf_printk("execve called");

	return 0;
}

char LICENSE[] SEC("license") = "GPL";
