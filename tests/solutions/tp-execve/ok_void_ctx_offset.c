/* SEC("tracepoint/..."), a void * context read at offset 16, a 256-byte buffer, bpf_printk
 * without a newline, a non-zero return value. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_execve")
int trace_exec(void *ctx)
{
	const char *user_name = *(const char **)((char *)ctx + 16);
	char name[256];
	long n;

	n = bpf_probe_read_user_str(name, sizeof(name), user_name);
	if (n <= 0)
		return 1;
	bpf_printk("execve: %s", name);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
