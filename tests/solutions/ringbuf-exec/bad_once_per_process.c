/* expect-fail: three-execs-one-process
 * Wrong: one record per process, not per execve. A hash map remembers the tgids already
 * reported, so a process that calls execve twice (the first call failing) is reported
 * once. Each of the other checks execs once per process, so they cannot tell. */
#include <linux/bpf.h>
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
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} seen SEC(".maps");

struct enter_execve {
	__u64 common;
	int nr;
	const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int on_exec(struct enter_execve *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 one = 1;
	if (bpf_map_lookup_elem(&seen, &tgid))
		return 0;
	bpf_map_update_elem(&seen, &tgid, &one, BPF_ANY);
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = tgid;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), ctx->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
