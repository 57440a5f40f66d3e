/* Wrong: de-duplicates by process. A HASH keyed by tgid remembers which processes already
 * sent a record, so a process that calls execve twice (a failing exec, then a real one)
 * sends only the first. Breaks "for each execve submits one 68-byte record".
 * expect-fail: three-execs-one-process */
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

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} seen SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 one = 1;
	struct event *e;

	if (bpf_map_lookup_elem(&seen, &tgid))
		return 0;
	bpf_map_update_elem(&seen, &tgid, &one, BPF_ANY);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = tgid;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
