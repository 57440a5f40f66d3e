// expect-fail: exec-true, long-path, exec-from-thread
/* Wrong: reports argv[0] (the name the program was started as, "true" for /bin/true
 * started by the harness) rather than the path passed to execve. */
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
	const char *const *argv = (const char *const *)ctx->args[1];
	const char *arg0 = NULL;
	struct event *e;

	bpf_probe_read_user(&arg0, sizeof(arg0), argv);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), arg0);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
