/* A correct fexit-unlink without BPF_PROG: both programs take the raw `__u64 *ctx` array
 * (argument 1 is the struct filename *, slot 2 at exit is the int return value), the map
 * is keyed by the thread id alone (a __u32, the low half of bpf_get_current_pid_tgid, which
 * is unique system-wide), the value is a 64-byte string, and fexit prints with
 * bpf_trace_printk and a stack format string. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, char[64]);
} inflight SEC(".maps");

SEC("fentry/do_unlinkat")
int grab(__u64 *ctx)
{
	struct filename *name = (struct filename *)ctx[1];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	char path[64];

	if (bpf_probe_read_kernel_str(path, sizeof(path), name->name) < 0)
		path[0] = 0;
	bpf_map_update_elem(&inflight, &tid, path, BPF_ANY);
	return 0;
}

SEC("fexit/do_unlinkat")
int report(__u64 *ctx)
{
	int ret = (int)ctx[2];
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	char *path = bpf_map_lookup_elem(&inflight, &tid);
	char fmt[] = "unlink: %s ret=%d";

	if (!path)
		return 0;
	bpf_trace_printk(fmt, sizeof(fmt), path, ret);
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
