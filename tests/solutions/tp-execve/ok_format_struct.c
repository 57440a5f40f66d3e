/* SEC("tp/..."), a context struct laid out from the tracepoint's format file, the file
 * name printed with bpf_trace_printk and an explicit format array. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct execve_enter {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s32 syscall_nr;
	__u32 pad;		/* filename sits at offset 16 */
	const char *filename;
	const char *const *argv;
	const char *const *envp;
};

SEC("tp/syscalls/sys_enter_execve")
int on_execve(struct execve_enter *ctx)
{
	char fmt[] = "execve: %s\n";
	char path[128];

	if (bpf_probe_read_user_str(path, sizeof(path), ctx->filename) < 0)
		return 0;
	bpf_trace_printk(fmt, sizeof(fmt), path);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
