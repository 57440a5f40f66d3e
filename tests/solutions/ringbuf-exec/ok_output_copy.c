/* A stranger's program: libbpf's tp/ spelling, the record built on the stack and
 * copied in with bpf_ringbuf_output, a 64 KiB ring. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct exec_event {
	__u32 tgid;
	char path[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
} events SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int on_exec(void *ctx)
{
	struct exec_event ev = {};
	const char *filename;

	/* the filename pointer is at offset 16 of the tracepoint record */
	bpf_probe_read_kernel(&filename, sizeof(filename), ctx + 16);
	ev.tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_probe_read_user_str(ev.path, sizeof(ev.path), filename);
	bpf_ringbuf_output(&events, &ev, sizeof(ev), 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
