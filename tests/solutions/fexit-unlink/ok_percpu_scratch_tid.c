/* A stranger keys an LRU hash by the thread id (a u32), builds the value in a per-CPU
 * scratch slot (256-byte strings do not belong on the 512-byte stack), and at exit copies
 * the map entry out before deleting it; raw u64 *ctx in the fexit program. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct path_val {
	char s[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_val);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct path_val);
} by_tid SEC(".maps");

SEC("fentry/do_unlinkat")
int save_path(u64 *ctx)
{
	struct filename *name = (struct filename *)ctx[1];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 zero = 0;
	struct path_val *v = bpf_map_lookup_elem(&scratch, &zero);

	if (!v)
		return 0;
	if (bpf_probe_read_kernel_str(v->s, sizeof(v->s), BPF_CORE_READ(name, name)) < 0)
		return 0;
	bpf_map_update_elem(&by_tid, &tid, v, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int show_path(u64 *ctx)
{
	int ret = (int)ctx[2];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct path_val *v = bpf_map_lookup_elem(&by_tid, &tid);

	if (!v)
		return 0;
	bpf_printk("unlink: %s ret=%d", v->s, ret);
	bpf_map_delete_elem(&by_tid, &tid);
	return 0;
}
