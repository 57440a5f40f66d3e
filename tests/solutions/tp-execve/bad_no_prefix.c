/* expect-fail: true-traced, echo-traced */
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
int on_exec(struct execve_args *ctx)
{
	char filename[64];
	bpf_probe_read_user_str(filename, sizeof(filename), ctx->filename);
	bpf_printk("%s", filename);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
