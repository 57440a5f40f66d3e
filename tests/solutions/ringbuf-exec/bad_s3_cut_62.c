/* Wrong by one byte: reads with sizeof(filename) - 1 "to leave room for the NUL", so a
 * long path keeps only 62 bytes. Breaks "`filename` the path passed to execve,
 * NUL-terminated, cut to its first 63 bytes".
 * expect-fail: long-path */
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
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename) - 1, (const char *)ctx->args[0]);
	e->filename[63] = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
