/* A correct ringbuf-exec in vmlinux.h style: the context is struct
 * trace_event_raw_sys_enter (args[0] is the filename), the ring declares its value type
 * (the cilium/ebpf convention the lesson says the platform strips), the record is
 * reserved in place and filled by a static __noinline helper, and the ring is 4096 bytes,
 * the smallest the contract allows. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
	__type(value, struct event);
} events SEC(".maps");

static __noinline int fill(struct event *e, const char *user_path)
{
	__u64 id = bpf_get_current_pid_tgid();

	e->pid = (__u32)(id >> 32);
	return bpf_probe_read_user_str(e->filename, sizeof(e->filename), user_path);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int record_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	if (fill(e, (const char *)ctx->args[0]) < 0)
		e->filename[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
