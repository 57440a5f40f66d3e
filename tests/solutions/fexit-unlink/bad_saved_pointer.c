/* expect-fail: removes-a-file, missing-file, relative-path, one-line-per-call
 * Saves the pointer at entry instead of the string: at exit it points into freed
 * (zeroed) memory. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} ptrs SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(enter_unlink, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 p = (__u64)BPF_CORE_READ(name, name);

	bpf_map_update_elem(&ptrs, &id, &p, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(exit_unlink, int dfd, struct filename *name, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *p = bpf_map_lookup_elem(&ptrs, &id);
	char path[256] = "";

	if (!p)
		return 0;
	bpf_probe_read_kernel_str(path, sizeof(path), (const char *)*p);
	bpf_printk("unlink: %s ret=%d", path, ret);
	bpf_map_delete_elem(&ptrs, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
