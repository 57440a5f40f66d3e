/* Wrong: sends a 72-byte record (an extra __u32 uid after the filename) instead of the
 * 68-byte one. The first 68 bytes are right. Breaks "submits one 68-byte record
 * `struct event { __u32 pid; char filename[64]; }`".
 * expect-fail: exec-true */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
	__u32 uid;
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
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->uid = (__u32)bpf_get_current_uid_gid();
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
