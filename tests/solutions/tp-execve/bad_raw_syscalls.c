/* expect-stage: load
 * A tracepoint program on raw_syscalls/sys_enter (every system call), not on
 * syscalls/sys_enter_execve. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/raw_syscalls/sys_enter")
int every_syscall(void *ctx)
{
	bpf_printk("execve: /bin/true");
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
