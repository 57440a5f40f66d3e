/* A stranger's program: reserves first, discards the record when the path cannot be
 * read, and submits with BPF_RB_FORCE_WAKEUP; the ring is 256 KiB. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rec {
	unsigned int pid;
	char path[64];
} __attribute__((packed));

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(unsigned long long *ctx)
{
	const char *filename = (const char *)ctx[2];
	struct rec *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);

	if (!r)
		return 0;
	if (bpf_probe_read_user_str(r->path, sizeof(r->path), filename) < 0) {
		bpf_ringbuf_discard(r, 0);
		return 0;
	}
	r->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
