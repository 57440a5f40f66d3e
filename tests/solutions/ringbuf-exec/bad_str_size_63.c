// expect-fail: long-path
/* Wrong: "leaves room for the NUL" twice: bpf_probe_read_user_str with size 63 already
 * writes the NUL, so a long path arrives cut to 62 bytes. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->filename[63] = 0;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename) - 1, (const char *)ctx->args[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
