/* expect-fail: failed-exec-traced
 * Cuts the noise: prints only programs started from /bin/ or /usr/. */
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
	char name[128];
	if (bpf_probe_read_user_str(name, sizeof(name), ctx->filename) < 5)
		return 0;
	if (name[0] != '/')
		return 0;
	if (!((name[1] == 'b' && name[2] == 'i' && name[3] == 'n') ||
	      (name[1] == 'u' && name[2] == 's' && name[3] == 'r')))
		return 0;
	bpf_printk("execve: %s", name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
