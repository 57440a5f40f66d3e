// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The record user space reads: 68 bytes, no padding. */
struct event {
	__u32 pid;
	char filename[64];
};

/* One ring buffer shared by every CPU; max_entries is its size in bytes (a power of
 * two, a multiple of the page size). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096 * 4);
} events SEC(".maps");

/* /sys/kernel/tracing/events/syscalls/sys_enter_execve/format */
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
	/* reserve space in the ring itself: the record is written in place, no copy */
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0; /* the ring is full: this event is lost, the next may fit */

	e->pid = bpf_get_current_pid_tgid() >> 32; /* the upper half is the tgid */
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), ctx->filename) < 0)
		e->filename[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
