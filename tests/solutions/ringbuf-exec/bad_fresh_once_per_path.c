/* expect-fail: three-execs-one-process
 * Wrong: skips a record when the same process just reported the same path ("a retry,
 * not a new exec"): it keeps each tgid's last path in a hash map and compares. Every
 * execve counts, so the second exec of the same missing path must give a record too. */
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

struct last {
	char path[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct last);
} last_path SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct last);
} scratch SEC(".maps");

struct syscall_enter {
	__u64 common;
	long nr;
	const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct syscall_enter *ctx)
{
	__u32 zero = 0, tgid = bpf_get_current_pid_tgid() >> 32;
	struct last *now = bpf_map_lookup_elem(&scratch, &zero);
	if (!now)
		return 0;
	__builtin_memset(now->path, 0, sizeof(now->path));
	bpf_probe_read_user_str(now->path, sizeof(now->path), ctx->filename);
	struct last *before = bpf_map_lookup_elem(&last_path, &tgid);
	if (before) {
		int same = 1;
		for (int i = 0; i < 64; i++) {
			if (before->path[i] != now->path[i]) {
				same = 0;
				break;
			}
		}
		if (same)
			return 0;
	}
	bpf_map_update_elem(&last_path, &tgid, now, BPF_ANY);
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = tgid;
	__builtin_memcpy(e->filename, now->path, sizeof(e->filename));
	bpf_ringbuf_submit(e, 0);
	return 0;
}
