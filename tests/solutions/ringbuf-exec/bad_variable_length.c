// expect-fail: exec-true, exec-from-thread
/* Wrong: "saves ring space" by sending only the pid and the bytes of the string that were
 * read (4 + length with its NUL), not the fixed 68-byte record. */
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} heap SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_exec(struct trace_event_raw_sys_enter *ctx)
{
	__u32 zero = 0;
	struct event *e = bpf_map_lookup_elem(&heap, &zero);
	long n;

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	n = bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
	if (n <= 0 || n > 64)
		return 0;
	bpf_ringbuf_output(&events, e, 4 + n, 0);
	return 0;
}
