/* A 4 KiB per-CPU array slot as the buffer (too big for the stack), "%s" with a newline. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct path_buf {
	char name[4096];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct path_buf);
} scratch SEC(".maps");

struct sys_enter_execve_args {
	unsigned long long common;	/* common_type, flags, preempt_count, pid */
	long syscall_nr;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_name(struct sys_enter_execve_args *args)
{
	__u32 zero = 0;
	struct path_buf *buf = bpf_map_lookup_elem(&scratch, &zero);

	if (!buf)
		return 0;
	if (bpf_probe_read_user_str(buf->name, sizeof(buf->name), args->filename) > 0)
		bpf_printk("execve: %s\n", buf->name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
