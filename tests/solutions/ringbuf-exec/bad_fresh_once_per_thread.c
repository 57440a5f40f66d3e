/* expect-fail: three-execs-one-process
 * Wrong: "an exec replaces the thread, so one record per thread is enough": remembers
 * every thread id it has reported and stays silent for it afterwards. A thread whose
 * first execve fails and which then calls execve again gets only the first record. */
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
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u8);
} reported SEC(".maps");

struct syscall_enter {
	__u64 common;
	long nr;
	const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct syscall_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u8 yes = 1;
	if (bpf_map_update_elem(&reported, &id, &yes, BPF_NOEXIST))
		return 0; /* this thread was reported already */
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = id >> 32;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), ctx->filename);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
