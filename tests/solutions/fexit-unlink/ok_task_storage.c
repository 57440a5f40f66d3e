/* A stranger keeps the path in task-local storage instead of a hash map: fentry fills the
 * current task's slot, fexit reads it, prints, and clears it. BPF_PROG macros throughout. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct pending {
	__u8 valid;
	char path[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} inflight SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(enter, int dfd, struct filename *name)
{
	struct pending *p;

	p = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->valid = bpf_probe_read_kernel_str(p->path, sizeof(p->path), name->name) > 0;
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(leave, int dfd, struct filename *name, int ret)
{
	struct pending *p = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);

	if (!p || !p->valid)
		return 0;
	bpf_printk("unlink: %s ret=%d", p->path, ret);
	p->valid = 0;
	return 0;
}
