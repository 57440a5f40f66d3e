// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

/* TODO: declare a BPF_MAP_TYPE_RINGBUF map named `events`; its max_entries is its
 * size in bytes (a power of two, at least 4096). */

struct execve_args {
	unsigned long long common;
	long syscall_nr;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_execve(struct execve_args *ctx)
{
	struct event e = {};

	/* TODO: instead of printing, reserve a struct event in the ring buffer with
	 * bpf_ringbuf_reserve(), fill in the process id (the tgid: the upper 32 bits of
	 * bpf_get_current_pid_tgid()) and the file name, then bpf_ringbuf_submit() it. */
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_printk("execve by %d", e.pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
