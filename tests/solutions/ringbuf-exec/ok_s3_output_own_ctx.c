/* A correct ringbuf-exec without vmlinux.h: libbpf's short section name
 * `tp/syscalls/sys_enter_execve`, the tracepoint's record declared by hand from its format
 * file (8 bytes of common fields, the int syscall number, then the filename pointer at
 * offset 16), the event built on the stack and sent with bpf_ringbuf_output, and a ring
 * of 64 KiB. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct execve_enter {
	__u64 common;
	int syscall_nr;
	int pad;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int on_exec(struct execve_enter *args)
{
	struct event ev = {};

	ev.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(ev.filename, sizeof(ev.filename), args->filename);
	bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
