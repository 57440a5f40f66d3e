/* A correct ringbuf-exec that copies the path byte by byte with bpf_loop (a callback per
 * byte, bpf_probe_read_user of one byte each) into a reserved record, stops at the NUL,
 * and NUL-terminates at byte 63 when the path is longer. The tgid is taken from
 * bpf_get_current_pid_tgid with a shift-and-mask. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} events SEC(".maps");

struct copy_state {
	const char *src;
	struct event *dst;
};

static long copy_one(__u32 i, void *data)
{
	struct copy_state *st = data;
	char c = 0;

	if (i >= 63)
		return 1;
	if (bpf_probe_read_user(&c, 1, st->src + i) < 0)
		c = 0;
	st->dst->filename[i] = c;
	return c == 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int copy_exec(struct trace_event_raw_sys_enter *ctx)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(struct event), 0);
	struct copy_state st;

	if (!e)
		return 0;
	e->pid = (bpf_get_current_pid_tgid() >> 32) & 0xffffffff;
	e->filename[63] = 0;
	st.src = (const char *)ctx->args[0];
	st.dst = e;
	bpf_loop(63, copy_one, &st, 0);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
