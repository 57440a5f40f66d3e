/* A stranger's program: no BPF_PROG macro; the arguments straight from the u64 array a
 * trampoline passes (fexit's return value comes after the arguments), and a struct as
 * the map value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct unlink_copy { char path[200]; };

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct unlink_copy);
} inflight SEC(".maps");

SEC("fentry/do_unlinkat")
int on_enter(unsigned long long *ctx)
{
	struct filename *fn = (struct filename *)ctx[1];
	__u64 key = bpf_get_current_pid_tgid();
	struct unlink_copy s = {};

	bpf_probe_read_kernel_str(s.path, sizeof(s.path), fn->name);
	bpf_map_update_elem(&inflight, &key, &s, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int on_exit(unsigned long long *ctx)
{
	__u64 key = bpf_get_current_pid_tgid();
	struct unlink_copy *s = bpf_map_lookup_elem(&inflight, &key);
	int ret = (int)ctx[2];

	if (s) {
		bpf_printk("unlink: %s ret=%d", s->path, ret);
		bpf_map_delete_elem(&inflight, &key);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
