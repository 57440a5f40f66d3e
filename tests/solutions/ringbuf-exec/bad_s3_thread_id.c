/* Wrong: stores the thread id (the low half of bpf_get_current_pid_tgid) as pid. Equal to
 * the tgid in a single-threaded process, different in the second thread. Breaks "`pid` is
 * the calling process's tgid (`bpf_get_current_pid_tgid() >> 32`)".
 * expect-fail: exec-from-thread */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 14);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = (__u32)bpf_get_current_pid_tgid();
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
