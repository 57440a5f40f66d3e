/* expect-fail: long-path-traced
 * A 10-byte buffer: just enough for "/bin/true" and "/bin/echo", longer paths are cut. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct execve_args {
	unsigned long long common;
	long syscall_nr;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_execve(struct execve_args *ctx)
{
	char name[10];
	if (bpf_probe_read_user_str(name, sizeof(name), ctx->filename) < 0)
		return 0;
	bpf_printk("execve: %s", name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
