// SPDX-License-Identifier: GPL-2.0
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 pid;
	char filename[64];
};

/* TODO：声明一个名为 `events` 的 BPF_MAP_TYPE_RINGBUF 映射；它的 max_entries
 * 就是它的字节大小（2 的幂，至少 4096）。 */

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
	struct event e = {};

	/* TODO：不再打印，而是用 bpf_ringbuf_reserve() 在环形缓冲区里预留一个 struct event，
	 * 填入进程 ID（即 tgid：bpf_get_current_pid_tgid() 的高 32 位）和文件名，
	 * 然后用 bpf_ringbuf_submit() 提交。 */
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_printk("execve by %d", e.pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
