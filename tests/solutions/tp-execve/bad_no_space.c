/* expect-fail: true-traced, echo-traced
 * "execve:%s" without the space after the colon. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_exec(void *ctx)
{
	const char *user_name = *(const char **)((char *)ctx + 16);
	char name[256];

	if (bpf_probe_read_user_str(name, sizeof(name), user_name) <= 0)
		return 0;
	bpf_printk("execve:%s", name);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
