/* A stranger builds the record in a per-CPU array slot and sends it with
 * bpf_ringbuf_output (one copy, no reserve/submit), using the tp/ section alias and the
 * vmlinux.h tracepoint context. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} heap SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int on_exec(struct trace_event_raw_sys_enter *ctx)
{
	__u32 zero = 0;
	struct event *e = bpf_map_lookup_elem(&heap, &zero);

	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	if (bpf_probe_read_user_str(e->filename, sizeof(e->filename),
				    (const char *)ctx->args[0]) < 0)
		e->filename[0] = 0;
	bpf_ringbuf_output(&events, e, sizeof(*e), 0);
	return 0;
}
