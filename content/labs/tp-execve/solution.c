// SPDX-License-Identifier: GPL-2.0
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
	char filename[64];

	if (bpf_probe_read_user_str(filename, sizeof(filename), ctx->filename) < 0)
		return 0;
	bpf_printk("execve: %s", filename);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
