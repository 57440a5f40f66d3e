/* A stranger keeps the record in a global (.bss) variable, reads the filename pointer at
 * offset 16 of a raw void *ctx, and sends the record with bpf_ringbuf_output and
 * BPF_RB_FORCE_WAKEUP; the UAPI headers, no vmlinux.h. */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	char filename[64];
} __attribute__((packed));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct event scratch;

SEC("tracepoint/syscalls/sys_enter_execve")
int exec_hook(void *ctx)
{
	const char *filename = NULL;

	bpf_probe_read_kernel(&filename, sizeof(filename), (char *)ctx + 16);
	scratch.pid = bpf_get_current_pid_tgid() >> 32;
	__builtin_memset(scratch.filename, 0, sizeof(scratch.filename));
	bpf_probe_read_user_str(scratch.filename, sizeof(scratch.filename), filename);
	bpf_ringbuf_output(&events, &scratch, sizeof(scratch), BPF_RB_FORCE_WAKEUP);
	return 0;
}
