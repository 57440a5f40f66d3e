/* A stranger splits the work into a __noinline subprogram that reads and prints, and a
 * static __always_inline one that fetches the pointer; the buffer is a per-CPU array value. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct scratch {
	char path[512];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

static __always_inline const char *path_of(struct filename *fn)
{
	const char *p = NULL;

	bpf_probe_read_kernel(&p, sizeof(p), __builtin_preserve_access_index(&fn->name));
	return p;
}

static __noinline int print_path(const char *p)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
	long n;

	if (!s || !p)
		return 0;
	n = bpf_probe_read_kernel_str(s->path, sizeof(s->path), p);
	if (n <= 0)
		return 0;
	bpf_printk("unlink: %s", s->path);
	return 1;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(unlink_entry, int dfd, struct filename *name)
{
	print_path(path_of(name));
	return 0;
}
