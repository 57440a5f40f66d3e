/* Writes "execve: " and the path into one buffer, printed with "%s". */
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
	char line[8 + 256] = "execve: ";
	if (bpf_probe_read_user_str(line + 8, sizeof(line) - 8, ctx->filename) < 0)
		return 0;
	bpf_printk("%s", line);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
