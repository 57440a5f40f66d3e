// SPDX-License-Identifier: GPL-2.0
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define PATH_LEN 256

/* The path of each call in flight, keyed by the calling thread: fentry fills it,
 * fexit of the same call finds it (a thread is inside one do_unlinkat at a time). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, char[PATH_LEN]);
} paths SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(unlink_entry, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	char path[PATH_LEN];

	/* fentry arguments are typed (BTF): name->name is read directly, no helper needed
	 * for the pointer; the string it points to still needs bpf_probe_read_kernel_str */
	if (bpf_probe_read_kernel_str(path, sizeof(path), name->name) < 0)
		return 0;
	bpf_map_update_elem(&paths, &id, path, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(unlink_exit, int dfd, struct filename *name, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	char *path = bpf_map_lookup_elem(&paths, &id);

	/* name was released by putname() before do_unlinkat returned: only our copy
	 * of the string is still good */
	if (!path)
		return 0;
	bpf_printk("unlink: %s ret=%d", path, ret);
	bpf_map_delete_elem(&paths, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
