/* expect-fail: exec-true, long-path, exec-from-thread
 * Two records per execve (one for the path, one "done" marker): exactly one each. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct args {
	__u64 head;
	__u64 nr;
	const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int exec_hook(struct args *ctx)
{
	struct event e = {};

	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e.filename, sizeof(e.filename), ctx->filename);
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	e.filename[0] = 0;
	bpf_ringbuf_output(&events, &e, sizeof(e), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
