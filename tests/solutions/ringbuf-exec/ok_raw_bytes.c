/* A stranger's program: the 68 bytes reserved as a plain byte array, the pid stored
 * with a memcpy, and the ring's value type declared (cilium/ebpf style) so the site
 * can decode the records. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
	__type(value, struct event);
} events SEC(".maps");

struct args {
	__u64 head;
	__u64 nr;
	const char *filename;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int exec_hook(struct args *ctx)
{
	unsigned char *slot = bpf_ringbuf_reserve(&events, 68, 0);
	__u32 pid;

	if (!slot)
		return 0;
	pid = bpf_get_current_pid_tgid() >> 32;
	__builtin_memcpy(slot, &pid, sizeof(pid));
	if (bpf_probe_read_user_str(slot + 4, 64, ctx->filename) < 0)
		slot[4] = 0;
	bpf_ringbuf_submit(slot, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
