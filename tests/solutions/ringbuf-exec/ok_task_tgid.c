/* A stranger takes the pid from the task struct (BPF_CORE_READ(task, tgid)) rather than
 * bpf_get_current_pid_tgid, and zero-fills the reserved record before copying. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} events SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int on_execve(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->pid = BPF_CORE_READ(task, tgid);
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (void *)ctx->args[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
