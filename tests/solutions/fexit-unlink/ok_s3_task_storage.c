/* A correct fexit-unlink that keeps the path in task-local storage instead of a hash map:
 * fentry creates the current task's slot (bpf_task_storage_get with F_CREATE) and copies
 * the string into it with BPF_CORE_READ + bpf_probe_read_kernel_str through a static
 * __noinline helper; fexit finds the slot of the same task, prints with bpf_printk using
 * BPF_PROG's typed int ret, and clears the slot with bpf_task_storage_delete. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct pending {
	char path[80];
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending_path SEC(".maps");

static __noinline int save_path(struct pending *slot, struct filename *name)
{
	const char *src = BPF_CORE_READ(name, name);

	return bpf_probe_read_kernel_str(slot->path, sizeof(slot->path), src);
}

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	struct pending *slot;

	slot = bpf_task_storage_get(&pending_path, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot)
		return 0;
	if (save_path(slot, name) < 0)
		slot->path[0] = 0;
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pending *slot = bpf_task_storage_get(&pending_path, task, 0, 0);

	if (!slot)
		return 0;
	bpf_printk("unlink: %s ret=%d", slot->path, ret);
	bpf_task_storage_delete(&pending_path, task);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
