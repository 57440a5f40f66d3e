/* A stranger reserves with a __noinline fill helper and a static __always_inline tgid
 * helper; the struct layout declared with explicit sizes and a _Static_assert. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define FNAME_LEN 64

struct event {
	__u32 pid;
	char filename[FNAME_LEN];
};
_Static_assert(sizeof(struct event) == 68, "record is 68 bytes");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline __u32 tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

static __noinline int fill(struct event *e, const char *user_path)
{
	if (!e)
		return -1;
	e->pid = tgid();
	return bpf_probe_read_user_str(e->filename, FNAME_LEN, user_path);
}

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	if (fill(e, (const char *)BPF_CORE_READ(ctx, args[0])) < 0) {
		e->filename[0] = 0;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
