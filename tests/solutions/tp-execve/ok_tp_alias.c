// A correct program: the short "tp/" section name, bpf_trace_printk, a bigger buffer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter_execve_ctx {
	__u64 pad;
	int __syscall_nr;
	int __pad;
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

SEC("tp/syscalls/sys_enter_execve")
int on_exec(struct sys_enter_execve_ctx *ctx)
{
	char name[128] = {};
	const char fmt[] = "execve: %s\n";

	bpf_probe_read_user_str(name, sizeof(name), ctx->filename);
	bpf_trace_printk(fmt, sizeof(fmt), name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
