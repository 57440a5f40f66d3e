// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* 这个 tracepoint 的参数，见
 * /sys/kernel/tracing/events/syscalls/sys_enter_execve/format */
struct execve_args {
	unsigned long long common; /* 公共字段：type、flags、preempt count、pid */
	long syscall_nr;
	const char *filename; /* 指向调用进程内存的指针 */
	const char *const *argv;
	const char *const *envp;
};

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_execve(struct execve_args *ctx)
{
	char filename[64];

	/* TODO：ctx->filename 指向用户态内存：BPF 程序不能直接读取它。
	 * 用 bpf_probe_read_user_str() 把字符串复制到 filename[]，
	 * 然后打印 "execve: <filename>"。 */
	filename[0] = '\0';
	bpf_printk("execve called");

	return 0;
}

char LICENSE[] SEC("license") = "GPL";
