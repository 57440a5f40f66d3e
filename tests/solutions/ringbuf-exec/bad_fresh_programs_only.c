/* expect-fail: three-execs-one-process
 * Wrong: reports only execs of "real programs", paths under /bin, /sbin or /usr, on the
 * idea that anything else cannot be exec'd anyway. But every execve counts, the failing
 * ones too: an exec of a missing /tmp path must give its record as well. */
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

struct syscall_enter {
	__u64 common;
	long nr;
	const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct syscall_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), ctx->filename);
	const char *p = e->filename;
	int program = p[0] == '/' && ((p[1] == 'b' && p[2] == 'i' && p[3] == 'n') ||
				      (p[1] == 's' && p[2] == 'b' && p[3] == 'i') ||
				      (p[1] == 'u' && p[2] == 's' && p[3] == 'r'));
	if (program)
		bpf_ringbuf_submit(e, 0);
	else
		bpf_ringbuf_discard(e, 0);
	return 0;
}
