/* A stranger's program: reserves the record through a ring buffer dynptr
 * (bpf_ringbuf_reserve_dynptr, Linux 6.0+), gets a pointer to its 68 bytes with
 * bpf_dynptr_data, and submits the dynptr; a reservation that fails must still be
 * discarded. The tgid comes from the current task_struct (BTF, via vmlinux.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u32 pid;
	char filename[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8192);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int on_execve(struct trace_event_raw_sys_enter *ctx)
{
	struct bpf_dynptr ptr;
	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(struct event), 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		return 0;
	}
	struct event *e = bpf_dynptr_data(&ptr, 0, sizeof(struct event));
	if (!e) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		return 0;
	}
	e->pid = bpf_get_current_task_btf()->tgid;
	bpf_probe_read_user_str(e->filename, sizeof(e->filename), (const char *)ctx->args[0]);
	bpf_ringbuf_submit_dynptr(&ptr, 0);
	return 0;
}
