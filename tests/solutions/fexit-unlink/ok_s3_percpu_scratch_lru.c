/* A correct fexit-unlink that builds the 256-byte string in a per-CPU array scratch slot
 * (not on the stack), stores it in an LRU_HASH keyed by the full pid_tgid with
 * BPF_NOEXIST after clearing any stale entry, and at exit prints a `long` return value
 * narrowed to int first, so the sign survives. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define PATH_LEN 256

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[PATH_LEN]);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, __u64);
	__type(value, char[PATH_LEN]);
} by_thread SEC(".maps");

SEC("fentry/do_unlinkat")
int BPF_PROG(enter, int dfd, struct filename *name)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0;
	char *buf = bpf_map_lookup_elem(&scratch, &zero);
	const char *src;

	if (!buf)
		return 0;
	src = BPF_CORE_READ(name, name);
	if (bpf_probe_read_kernel_str(buf, PATH_LEN, src) < 0)
		buf[0] = 0;
	bpf_map_delete_elem(&by_thread, &id);
	bpf_map_update_elem(&by_thread, &id, buf, BPF_NOEXIST);
	return 0;
}

SEC("fexit/do_unlinkat")
int BPF_PROG(leave, int dfd, struct filename *name, long raw_ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	char *path = bpf_map_lookup_elem(&by_thread, &id);
	int ret = (int)raw_ret;

	if (!path)
		return 0;
	bpf_printk("unlink: %s ret=%d", path, ret);
	bpf_map_delete_elem(&by_thread, &id);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
