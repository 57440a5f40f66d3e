// bpflab-agent: runs one sandbox Job (docs/protocol.md) and writes JSON-line events.
//
// The job arrives on stdin in the wire format of sandbox/wire.py, ending with a line
// "end" (so a serial port that never closes works). Events go to stdout, one JSON
// object a line, flushed after each line. The same binary runs on the host kernel
// (local backend), in the microVM and in the docker container.
//
// Options:
//   --trace-instance NAME  create/use /sys/kernel/tracing/instances/NAME, removed at exit
//   --trace-global         read the global trace_pipe instead of an instance
//   --no-trace             read no trace at all (the host found no printing helper call
//                          in the object): no instance to create and remove
//   --no-pid-filter        keep trace lines of every task (single-tenant kernels: the VM)
//   --netns                unshare a fresh network namespace before doing anything
//   --ready-line           print "bpflab-agent: ready" once stdin is ready for the job
// Default: an instance named bpflab-agent-<pid> with the pid filter on. The pid filter
// keeps the lines of the agent and of the triggers it started (a common_pid event filter
// in an instance, the same test in user space).
//
// `done` is written BEFORE the teardown (detach, close the object, remove the trace
// instance; the instance's removal alone waits ~40 ms for RCU), so a host can return the
// verdict at once and let the process finish tearing down on its own (it stays in the
// host's process group and wall-limit kill until it exits).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define VETH_NAME "bpfl0"
#define VETH_PEER "bpfl1"
/* a second pair, never up: XDP programs held in the kernel's dispatcher (hold_xdp) */
#define HOLD_NAME "bpflh0"
#define HOLD_PEER "bpflh1"
#define MAX_CHILDREN 256
#define LIBBPF_LOG_CAP (64 * 1024)
#define TRACE_LINE_CAP 8192

/* ------------------------------------------------------------------ buffers */

typedef struct {
	char *p;
	size_t len, cap;
} sbuf;

static void die_oom(void)
{
	static const char msg[] = "{\"event\":\"error\",\"message\":\"agent out of memory\"}\n"
				  "{\"event\":\"done\",\"ok\":false}\n";
	if (write(1, msg, sizeof(msg) - 1) < 0) {
		/* nothing more we can do */
	}
	_exit(3);
}

static void sb_reserve(sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		die_oom();
	b->p = p;
	b->cap = cap;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_putc(sbuf *b, char c) { sb_put(b, &c, 1); }

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	sb_reserve(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

static void sb_printf(sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(b, fmt, ap);
	va_end(ap);
}

static void sb_clear(sbuf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void sb_free(sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 when invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0;
	return len;
}

/* A quoted JSON string: control characters escaped, invalid UTF-8 bytes become U+FFFD. */
static void sb_json_str(sbuf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	sb_putc(b, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			sb_putc(b, '\\');
			sb_putc(b, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n': sb_puts(b, "\\n"); break;
			case '\r': sb_puts(b, "\\r"); break;
			case '\t': sb_puts(b, "\\t"); break;
			default: sb_printf(b, "\\u%04x", c);
			}
			i++;
		} else if (c < 0x80) {
			sb_putc(b, (char)c);
			i++;
		} else {
			size_t len = utf8_seq_len(u + i, n - i);
			if (len == 0) {
				sb_puts(b, "\\ufffd");
				i++;
			} else {
				sb_put(b, s + i, len);
				i += len;
			}
		}
	}
	sb_putc(b, '"');
}

static void sb_hex(sbuf *b, const void *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *d = data;
	sb_reserve(b, n * 2 + 2);
	b->p[b->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = digits[d[i] >> 4];
		b->p[b->len++] = digits[d[i] & 15];
	}
	b->p[b->len++] = '"';
	b->p[b->len] = '\0';
}

/* ------------------------------------------------------------------ events */

struct limits {
	long long wall_s;
	long long max_trace_lines;
	long long max_trace_bytes;
	long long max_map_entries;
	long long max_output_bytes;
	long long max_repeat;
	long long max_records;
	long long verifier_log_bytes;
	long long verifier_cpu_s;
};

static struct limits lim = {
	.wall_s = 20,
	.max_trace_lines = 2000,
	.max_trace_bytes = 256 * 1024,
	.max_map_entries = 1024,
	.max_output_bytes = 4 * 1024 * 1024,
	.max_repeat = 1000,
	.max_records = 2000,
	.verifier_log_bytes = 1024 * 1024,
	.verifier_cpu_s = 5,
};

static long long out_bytes;
static bool out_truncated;
static bool out_broken;

static void write_all(const char *p, size_t n)
{
	while (n > 0 && !out_broken) {
		ssize_t w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			out_broken = true; /* the reader is gone: keep going quietly, then exit */
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void ev_begin(sbuf *b, const char *name)
{
	sb_clear(b);
	sb_puts(b, "{\"event\":");
	sb_json_str(b, name, strlen(name));
}

static void ev_key(sbuf *b, const char *key)
{
	sb_putc(b, ',');
	sb_json_str(b, key, strlen(key));
	sb_putc(b, ':');
}

static void kv_str(sbuf *b, const char *key, const char *val)
{
	ev_key(b, key);
	if (val)
		sb_json_str(b, val, strlen(val));
	else
		sb_puts(b, "null");
}

static void kv_strn(sbuf *b, const char *key, const char *val, size_t n)
{
	ev_key(b, key);
	sb_json_str(b, val, n);
}

static void kv_int(sbuf *b, const char *key, long long v)
{
	ev_key(b, key);
	sb_printf(b, "%lld", v);
}

static void kv_bool(sbuf *b, const char *key, bool v)
{
	ev_key(b, key);
	sb_puts(b, v ? "true" : "false");
}

static void kv_hex(sbuf *b, const char *key, const void *d, size_t n)
{
	ev_key(b, key);
	sb_hex(b, d, n);
}

/* Writes the event in b. Past max_output_bytes only final events (done/error) pass. */
static void ev_emit(sbuf *b, bool final)
{
	sb_puts(b, "}\n");
	if (!final) {
		if (out_truncated)
			return;
		if (out_bytes + (long long)b->len > lim.max_output_bytes) {
			char msg[128];
			int n = snprintf(msg, sizeof(msg),
					 "{\"event\":\"truncated\",\"what\":\"output\",\"limit\":%lld}\n",
					 lim.max_output_bytes);
			out_truncated = true;
			write_all(msg, (size_t)n);
			return;
		}
	}
	out_bytes += (long long)b->len;
	write_all(b->p, b->len);
}

static void emit_simple(const char *name, const char *key, const char *val, bool final)
{
	sbuf b = {0};
	ev_begin(&b, name);
	kv_str(&b, key, val);
	ev_emit(&b, final);
	sb_free(&b);
}

static void emit_error(const char *fmt, ...)
{
	sbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&msg, fmt, ap);
	va_end(ap);
	emit_simple("error", "message", msg.p ? msg.p : "", true);
	sb_free(&msg);
}

static void kv_trace_fenced(sbuf *b);

static void emit_done(bool ok)
{
	sbuf b = {0};
	ev_begin(&b, "done");
	kv_bool(&b, "ok", ok);
	kv_trace_fenced(&b);
	ev_emit(&b, true);
	sb_free(&b);
}

/* "Permission denied (EACCES)" */
static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOSPC: return "ENOSPC";
	case ERANGE: return "ERANGE";
	case ELOOP: return "ELOOP";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case 524: return "ENOTSUPP";
	default: return NULL;
	}
}

static const char *err_text(int e, char *buf, size_t size)
{
	if (e < 0)
		e = -e;
	if (e >= __LIBBPF_ERRNO__START && e < __LIBBPF_ERRNO__END) {
		char text[96];
		libbpf_strerror(e, text, sizeof(text));
		snprintf(buf, size, "%s (libbpf error %d)", text, e);
		return buf;
	}
	const char *name = errno_name(e);
	const char *text = e == 524 ? "Operation not supported by the kernel" : strerror(e);
	if (name)
		snprintf(buf, size, "%s (%s)", text, name);
	else
		snprintf(buf, size, "%s (errno %d)", text, e);
	return buf;
}

/* ------------------------------------------------------------------ job (wire format) */

struct kv {
	char *key;
	char *val; /* percent-decoded, NUL-terminated */
	size_t len;
};

struct op {
	char *id;
	char *name;
	struct kv *kvs;
	size_t nkv;
};

static struct op *ops;
static size_t nops;

/*
 * The job's object files: objs[0] is the main one (wire `obj` lines, loaded by the first
 * op); the others are named (wire `xobj NAME` lines, loaded by a later `load` op with
 * object=NAME), e.g. a lab's reference solution run beside the learner's program.
 */
#define MAX_OBJECTS 5
#define OBJECT_NAME_CAP 64
struct objfile {
	char name[OBJECT_NAME_CAP];
	unsigned char *data;
	size_t len, cap;
	struct bpf_object *bo; /* set once loaded (or opened, when the load failed) */
	bool loaded;
};
static struct objfile objs[MAX_OBJECTS];
static size_t nobjs = 1;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex into a new buffer; returns -1 on odd length or a bad digit. */
static int hex_decode(const char *s, size_t n, unsigned char **out, size_t *out_len)
{
	if (n % 2)
		return -1;
	unsigned char *d = malloc(n / 2 + 1);
	if (!d)
		die_oom();
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0) {
			free(d);
			return -1;
		}
		d[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	*out = d;
	*out_len = n / 2;
	return 0;
}

static char *percent_decode(const char *s, size_t n, size_t *out_len)
{
	char *d = malloc(n + 1);
	size_t j = 0;
	if (!d)
		die_oom();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			d[j++] = (char)(hexval((unsigned char)s[i + 1]) << 4 |
					hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	*out_len = j;
	return d;
}

static const struct kv *op_get(const struct op *op, const char *key)
{
	for (size_t i = 0; i < op->nkv; i++)
		if (strcmp(op->kvs[i].key, key) == 0)
			return &op->kvs[i];
	return NULL;
}

static const char *op_str(const struct op *op, const char *key)
{
	const struct kv *kv = op_get(op, key);
	return kv ? kv->val : NULL;
}

static long long op_int(const struct op *op, const char *key, long long dflt)
{
	const struct kv *kv = op_get(op, key);
	if (!kv || !kv->len)
		return dflt;
	return strtoll(kv->val, NULL, 10);
}

/* Splits line (modified in place) at spaces. Returns the token count (<= max). */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *w = strtok_r(line, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	return n;
}

static int parse_limits(char **words, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		char *eq = strchr(words[i], '=');
		if (!eq)
			return -1;
		*eq = '\0';
		long long v = strtoll(eq + 1, NULL, 10);
		const char *k = words[i];
		if (!strcmp(k, "wall_s"))
			lim.wall_s = v;
		else if (!strcmp(k, "max_trace_lines"))
			lim.max_trace_lines = v;
		else if (!strcmp(k, "max_trace_bytes"))
			lim.max_trace_bytes = v;
		else if (!strcmp(k, "max_map_entries"))
			lim.max_map_entries = v;
		else if (!strcmp(k, "max_output_bytes"))
			lim.max_output_bytes = v;
		else if (!strcmp(k, "max_repeat"))
			lim.max_repeat = v;
		else if (!strcmp(k, "max_records"))
			lim.max_records = v;
		else if (!strcmp(k, "verifier_log_bytes"))
			lim.verifier_log_bytes = v;
		else if (!strcmp(k, "verifier_cpu_s"))
			lim.verifier_cpu_s = v > 0 ? v : 1;
		/* unknown limits are ignored: newer hosts may send more */
	}
	/* the buffer is allocated per program: keep it sane whatever the host sent */
	if (lim.verifier_log_bytes < 4096)
		lim.verifier_log_bytes = 4096;
	if (lim.verifier_log_bytes > 64 * 1024 * 1024)
		lim.verifier_log_bytes = 64 * 1024 * 1024;
	return 0;
}

static int parse_op(char **words, size_t n)
{
	if (n < 3)
		return -1;
	struct op *grown = realloc(ops, (nops + 1) * sizeof(*ops));
	if (!grown)
		die_oom();
	ops = grown;
	struct op *op = &ops[nops++];
	size_t len;
	memset(op, 0, sizeof(*op));
	op->id = percent_decode(words[1], strlen(words[1]), &len);
	op->name = strdup(words[2]);
	op->kvs = calloc(n, sizeof(*op->kvs));
	if (!op->name || !op->kvs)
		die_oom();
	for (size_t i = 3; i < n; i++) {
		char *eq = strchr(words[i], '=');
		if (!eq)
			return -1;
		*eq = '\0';
		struct kv *kv = &op->kvs[op->nkv++];
		kv->key = strdup(words[i]);
		if (!kv->key)
			die_oom();
		kv->val = percent_decode(eq + 1, strlen(eq + 1), &kv->len);
	}
	return 0;
}

static int append_obj_hex(struct objfile *o, const char *hex)
{
	unsigned char *chunk;
	size_t n;
	if (hex_decode(hex, strlen(hex), &chunk, &n))
		return -1;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 65536;
		while (cap < o->len + n)
			cap *= 2;
		unsigned char *p = realloc(o->data, cap);
		if (!p)
			die_oom();
		o->data = p;
		o->cap = cap;
	}
	memcpy(o->data + o->len, chunk, n);
	o->len += n;
	free(chunk);
	return 0;
}

static struct objfile *object_named(const char *name)
{
	for (size_t i = 1; i < nobjs; i++)
		if (!strcmp(objs[i].name, name))
			return &objs[i];
	return NULL;
}

/* "xobj NAME HEX": a chunk of a named object (created by its first chunk). */
static int append_named_obj_hex(char *rest)
{
	char *space = strchr(rest, ' ');
	if (!space || space == rest || (size_t)(space - rest) >= OBJECT_NAME_CAP)
		return -1;
	*space = '\0';
	struct objfile *o = object_named(rest);
	if (!o) {
		if (nobjs >= MAX_OBJECTS)
			return -1;
		o = &objs[nobjs++];
		o->len = 0;
		snprintf(o->name, sizeof(o->name), "%s", rest);
	}
	return append_obj_hex(o, space + 1);
}

/*
 * stdin is read through this buffer, never through stdio: after the job's "end" line the
 * host may still send a "stop" line (live mode), which must not vanish into a FILE buffer.
 */
static char in_buf[65536];
static size_t in_len;

/* Reads more of stdin into in_buf: bytes read, 0 at EOF, -1 on error or a full buffer. */
static ssize_t in_fill(void)
{
	if (in_len == sizeof(in_buf))
		return -1;
	for (;;) {
		ssize_t n = read(0, in_buf + in_len, sizeof(in_buf) - in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			in_len += (size_t)n;
		return n;
	}
}

/* getline(3) over in_buf: one line (with its newline) of any length; -1 at EOF. */
static ssize_t in_getline(char **line, size_t *cap)
{
	size_t used = 0;
	for (;;) {
		char *nl = in_len ? memchr(in_buf, '\n', in_len) : NULL;
		size_t take = nl ? (size_t)(nl - in_buf) + 1 : in_len;
		if (used + take + 1 > *cap) {
			*cap = (used + take + 1) * 2;
			*line = realloc(*line, *cap);
			if (!*line)
				die_oom();
		}
		memcpy(*line + used, in_buf, take);
		used += take;
		memmove(in_buf, in_buf + take, in_len - take);
		in_len -= take;
		(*line)[used] = '\0';
		if (nl)
			return (ssize_t)used;
		if (in_fill() <= 0)
			return used ? (ssize_t)used : -1;
	}
}

/* Reads the job until the line "end". Returns 0, or -1 with msg filled. */
/* --warm-up OBJECT and --warm-up-job JOB: see warm_up() and warm_up_job() */
static const char *warm_up_path;
static const char *warm_up_job_path;
static void warm_up(const char *path);
static void warm_up_job(const char *path);

static int read_job(char *msg, size_t msg_size)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	bool seen_header = false;
	int rc = -1;
	while ((n = in_getline(&line, &cap)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		char *words[512];
		if (!strcmp(line, "warm-up")) {
			/* a VM restored for a pool warms up again before its job: the code of a
			 * whole job translated by this qemu (TCG), not just set up in the guest */
			if (warm_up_job_path)
				warm_up_job(warm_up_job_path);
			else if (warm_up_path)
				warm_up(warm_up_path);
			static const char warm[] = "@@bpflab@@ warm\n";
			write_all(warm, sizeof(warm) - 1);
			continue;
		}
		if (!strcmp(line, "end")) {
			rc = seen_header ? 0 : -1;
			if (rc)
				snprintf(msg, msg_size, "bad job: no header line");
			goto out;
		}
		if (!strncmp(line, "obj ", 4)) {
			if (append_obj_hex(&objs[0], line + 4)) {
				snprintf(msg, msg_size, "bad job: line %ld: bad object hex", lineno);
				goto out;
			}
			continue;
		}
		if (!strncmp(line, "xobj ", 5)) {
			if (append_named_obj_hex(line + 5)) {
				snprintf(msg, msg_size, "bad job: line %ld: bad named object", lineno);
				goto out;
			}
			continue;
		}
		size_t nw = split_words(line, words, sizeof(words) / sizeof(words[0]));
		if (nw == 0)
			continue;
		if (nw == sizeof(words) / sizeof(words[0])) {
			snprintf(msg, msg_size, "bad job: line %ld: too many fields", lineno);
			goto out;
		}
		if (!strcmp(words[0], "bpflab-job")) {
			/* A new header restarts the job: a host may resend after line noise. */
			if (nw < 2 || strcmp(words[1], "1")) {
				snprintf(msg, msg_size, "bad job: unsupported wire version");
				goto out;
			}
			seen_header = true;
			nops = 0;
			objs[0].len = 0;
			nobjs = 1;
		} else if (!seen_header) {
			continue; /* noise before the header (e.g. a serial console) */
		} else if (!strcmp(words[0], "limits")) {
			if (parse_limits(words, nw)) {
				snprintf(msg, msg_size, "bad job: line %ld: bad limits", lineno);
				goto out;
			}
		} else if (!strcmp(words[0], "op")) {
			if (parse_op(words, nw)) {
				snprintf(msg, msg_size, "bad job: line %ld: bad op", lineno);
				goto out;
			}
		} else {
			snprintf(msg, msg_size, "bad job: line %ld: unknown record '%.40s'", lineno,
				 words[0]);
			goto out;
		}
	}
	snprintf(msg, msg_size, "bad job: input ended before the line 'end'");
out:
	free(line);
	return rc;
}

/* ------------------------------------------------------------------ tracing */

static char trace_root[256];
static char instance_dir[512];
static bool instance_created;
static bool pid_filter = true;
static bool kernel_pid_filter;
static int trace_fd = -1;
static int marker_fd = -1; /* the trace source's trace_marker: the drain's fence */
static bool fence_off;	   /* a fence once went unanswered: drain without one */
static unsigned long fence_seq; /* fences written */
static pid_t agent_pid;
static pid_t children[MAX_CHILDREN];
static size_t nchildren;
static long long trace_lines_out, trace_bytes_out;
static bool trace_truncated;
static char trace_pending[TRACE_LINE_CAP];
static size_t trace_pending_len;

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* Finds (or mounts) tracefs. */
static int find_tracefs(void)
{
	static const char *candidates[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	for (int i = 0; i < 2; i++) {
		char probe[300];
		snprintf(probe, sizeof(probe), "%s/trace_pipe", candidates[i]);
		if (access(probe, R_OK) == 0) {
			snprintf(trace_root, sizeof(trace_root), "%s", candidates[i]);
			return 0;
		}
	}
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 ||
	    errno == EBUSY) {
		snprintf(trace_root, sizeof(trace_root), "/sys/kernel/tracing");
		return 0;
	}
	return -errno;
}

static void ensure_bpffs(void)
{
	struct statfs st;
	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == 0xcafe4a11)
		return;
	mount("bpf", "/sys/fs/bpf", "bpf", 0, NULL); /* best effort: nothing here pins */
}

static char enable_path[700]; /* set up front: the signal handler may not format */

/* Async-signal-safe: also called from on_fatal_signal. */
static void remove_instance(void)
{
	if (trace_fd >= 0) {
		close(trace_fd);
		trace_fd = -1;
	}
	if (marker_fd >= 0) {
		close(marker_fd);
		marker_fd = -1;
	}
	if (!instance_created)
		return;
	write_file(enable_path, "0");
	for (int i = 0; i < 50; i++) {
		if (rmdir(instance_dir) == 0 || errno == ENOENT)
			break;
		struct timespec pause = {0, 10 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	instance_created = false;
}

static volatile pid_t running_child; /* the trigger being waited for, if any */
static const int fatal_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE};

/*
 * SIGTERM (the backend's wall limit) and friends: kill and reap the running trigger
 * (an orphan would be left to an init that may never reap it), remove the trace
 * instance, then die of the same signal. Only async-signal-safe calls.
 */
static void on_fatal_signal(int sig)
{
	pid_t child = running_child;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	remove_instance();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Keeps only events of the agent and the children it started, in the kernel: an event
 * filter on common_pid (rewritten before each child may run). set_event_pid would also
 * follow grandchildren, but its sched_switch probes make the instance's removal ~3x
 * slower, and the allowed triggers do not fork.
 */
static int update_pid_filter(void)
{
	char path[700];
	sbuf f = {0};
	sb_printf(&f, "common_pid == %d", (int)agent_pid);
	for (size_t i = 0; i < nchildren; i++)
		sb_printf(&f, " || common_pid == %d", (int)children[i]);
	snprintf(path, sizeof(path), "%s/events/bpf_trace/bpf_trace_printk/filter", instance_dir);
	int err = write_file(path, f.p);
	sb_free(&f);
	return err;
}

/* Sets up the trace source. Returns 0 or -errno with msg filled. */
static int setup_trace(const char *instance, bool global, char *msg, size_t msg_size)
{
	char path[700];
	char e[96];
	int err = find_tracefs();
	if (err) {
		snprintf(msg, msg_size, "tracefs is not available: %s", err_text(err, e, sizeof(e)));
		return err;
	}
	if (global) {
		snprintf(instance_dir, sizeof(instance_dir), "%s", trace_root);
	} else {
		snprintf(instance_dir, sizeof(instance_dir), "%s/instances/%s", trace_root,
			 instance);
		snprintf(enable_path, sizeof(enable_path),
			 "%s/events/bpf_trace/bpf_trace_printk/enable", instance_dir);
		if (mkdir(instance_dir, 0700) == 0)
			instance_created = true;
		else if (errno != EEXIST) {
			err = -errno;
			snprintf(msg, msg_size, "cannot create trace instance %s: %s", instance_dir,
				 err_text(err, e, sizeof(e)));
			return err;
		} else {
			instance_created = true; /* ours by name: the host picked it for us */
		}
		if (pid_filter)
			kernel_pid_filter = update_pid_filter() == 0;
		err = write_file(enable_path, "1");
		if (err) {
			snprintf(msg, msg_size, "cannot enable bpf_trace_printk in %s: %s",
				 instance_dir, err_text(err, e, sizeof(e)));
			return err;
		}
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", instance_dir);
	trace_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (trace_fd < 0) {
		err = -errno;
		snprintf(msg, msg_size, "cannot open %s: %s", path, err_text(err, e, sizeof(e)));
		return err;
	}
	/* no marker file (markers off, no write access): drains go without a fence */
	snprintf(path, sizeof(path), "%s/trace_marker", instance_dir);
	marker_fd = open(path, O_WRONLY | O_CLOEXEC);
	return 0;
}

/* The same filter in user space: the global trace_pipe has no filter of ours. */
static bool pid_is_ours(long pid)
{
	if (!pid_filter)
		return true;
	if (pid == agent_pid)
		return true;
	for (size_t i = 0; i < nchildren; i++)
		if (children[i] == pid)
			return true;
	return false;
}

struct trace_fields {
	const char *task;
	size_t task_len;
	long pid;
	long cpu;
	const char *ts;
	size_t ts_len;
	const char *msg;
	size_t msg_len;
	bool printk; /* a bpf_trace_printk line (not, e.g., a trace_marker write) */
};

/*
 * Parses "<task>-<pid> [<cpu>] <flags> <timestamp>: bpf_trace_printk: <message>".
 * The task name may hold spaces and dashes, so the pid is the digits before the
 * whitespace that precedes "[cpu]". The flags column is optional (options/irq-info).
 */
static bool parse_trace_line(const char *line, size_t n, struct trace_fields *f)
{
	memset(f, 0, sizeof(*f));
	const char *end = line + n;
	const char *br = NULL;
	for (const char *p = line; p + 2 < end; p++) {
		if (p[0] == '[' && p > line && p[-1] == ' ' && isdigit((unsigned char)p[1])) {
			const char *q = p + 1;
			while (q < end && isdigit((unsigned char)*q))
				q++;
			if (q < end && *q == ']') {
				br = p;
				break;
			}
		}
	}
	if (!br)
		return false;
	const char *left = line;
	while (left < br && *left == ' ')
		left++;
	const char *right = br;
	while (right > left && right[-1] == ' ')
		right--;
	const char *dash = NULL;
	for (const char *p = right - 1; p >= left; p--) {
		if (*p == '-') {
			dash = p;
			break;
		}
		if (!isdigit((unsigned char)*p))
			return false;
	}
	if (!dash || dash + 1 >= right)
		return false;
	f->task = left;
	f->task_len = (size_t)(dash - left);
	f->pid = strtol(dash + 1, NULL, 10);
	f->cpu = strtol(br + 1, NULL, 10);
	const char *p = strchr(br, ']');
	p = p ? p + 1 : end;
	/* the first token ending in ':' after the cpu is the timestamp */
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		const char *tok = p;
		while (p < end && *p != ' ')
			p++;
		if (p > tok && p[-1] == ':') {
			f->ts = tok;
			f->ts_len = (size_t)(p - tok - 1);
			break;
		}
	}
	while (p < end && *p == ' ')
		p++;
	static const char marker[] = "bpf_trace_printk: ";
	size_t ml = sizeof(marker) - 1;
	if ((size_t)(end - p) >= ml && !memcmp(p, marker, ml)) {
		p += ml;
		f->printk = true;
	}
	f->msg = p;
	f->msg_len = (size_t)(end - p);
	return true;
}

static bool is_number(const char *s, size_t n)
{
	bool dot = false;
	if (n == 0 || !isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && !dot)
			dot = true;
		else if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return s[n - 1] != '.';
}

static void emit_trace_line(const char *op_id, const char *line, size_t n)
{
	struct trace_fields f;
	bool parsed = parse_trace_line(line, n, &f);
	if (parsed && !pid_is_ours(f.pid))
		return;
	if (trace_truncated)
		return;
	if (trace_lines_out + 1 > lim.max_trace_lines ||
	    trace_bytes_out + (long long)n > lim.max_trace_bytes) {
		sbuf b = {0};
		bool by_lines = trace_lines_out + 1 > lim.max_trace_lines;
		trace_truncated = true;
		ev_begin(&b, "truncated");
		kv_str(&b, "what", "trace");
		kv_int(&b, "limit", by_lines ? lim.max_trace_lines : lim.max_trace_bytes);
		kv_str(&b, "unit", by_lines ? "lines" : "bytes");
		ev_emit(&b, false);
		sb_free(&b);
		return;
	}
	trace_lines_out++;
	trace_bytes_out += (long long)n;
	sbuf b = {0};
	ev_begin(&b, "trace");
	kv_str(&b, "op", op_id);
	kv_strn(&b, "line", line, n);
	if (parsed) {
		kv_strn(&b, "task", f.task, f.task_len);
		kv_int(&b, "pid", f.pid);
		kv_int(&b, "cpu", f.cpu);
		ev_key(&b, "timestamp");
		if (is_number(f.ts, f.ts_len))
			sb_put(&b, f.ts, f.ts_len);
		else
			sb_puts(&b, "null");
		kv_strn(&b, "message", f.msg, f.msg_len);
	} else {
		kv_str(&b, "task", NULL);
		kv_str(&b, "pid", NULL);
		kv_str(&b, "cpu", NULL);
		kv_str(&b, "timestamp", NULL);
		kv_strn(&b, "message", line, n);
	}
	ev_emit(&b, false);
	sb_free(&b);
}

/*
 * The fence of a drain: a line the agent writes to trace_marker after an op, then reads
 * back from the trace pipe. The ring buffer hands lines out in time order, so once the
 * fence is read every line committed before it was written has been read too (on every
 * CPU), instead of whatever a first empty non-blocking read happened to leave behind.
 * "tracing_mark_write: " is how tracefs shows a marker write; a bpf_printk line has
 * "bpf_trace_printk: " there, so a program cannot forge one.
 */
#define FENCE_PREFIX "bpflab-fence "
#define FENCE_WAIT_MS 2000

static bool is_fence_line(const char *line, size_t n, const char **text, size_t *text_len)
{
	static const char mark[] = "tracing_mark_write: " FENCE_PREFIX;
	struct trace_fields f;
	if (!parse_trace_line(line, n, &f) || f.printk || f.msg_len < sizeof(mark) - 1 ||
	    memcmp(f.msg, mark, sizeof(mark) - 1))
		return false;
	*text = f.msg + strlen("tracing_mark_write: ");
	*text_len = f.msg_len - strlen("tracing_mark_write: ");
	return true;
}

/* Writes a new fence into the trace; its text (empty: none was written) goes to fence. */
static void write_fence(char *fence, size_t size)
{
	fence[0] = '\0';
	if (marker_fd < 0 || fence_off)
		return;
	int n = snprintf(fence, size, FENCE_PREFIX "%d %lu", (int)agent_pid, ++fence_seq);
	if (write(marker_fd, fence, (size_t)n) != n)
		fence[0] = '\0';
}

/* Reads the lines the trace pipe holds now (non-blocking); true when one was the fence.
 * Fences (ours or another agent's on a shared trace) are never emitted. */
static bool read_trace(const char *op_id, const char *fence)
{
	static char buf[65536];
	bool fenced = false;
	for (;;) {
		ssize_t n = read(trace_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fenced;
		for (ssize_t i = 0; i < n; i++) {
			char c = buf[i];
			if (c != '\n') {
				if (trace_pending_len < sizeof(trace_pending))
					trace_pending[trace_pending_len++] = c;
				continue;
			}
			const char *text;
			size_t len;
			if (!is_fence_line(trace_pending, trace_pending_len, &text, &len))
				emit_trace_line(op_id, trace_pending, trace_pending_len);
			else if (fence[0] && len == strlen(fence) && !memcmp(text, fence, len))
				fenced = true;
			trace_pending_len = 0;
		}
	}
}

/* done's "trace_fenced" (when a trace is read): whether every drain read up to its fence */
static void kv_trace_fenced(sbuf *b)
{
	if (trace_fd >= 0)
		kv_bool(b, "trace_fenced", marker_fd >= 0 && fence_seq > 0 && !fence_off);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the trace up to a fence written now; lines go to op_id. Without a fence (no
 * trace_marker), or when one is not back within FENCE_WAIT_MS (then fences stop for the
 * run), it reads what the pipe holds. */
static void drain_records(const char *op_id);

static void drain_trace(const char *op_id)
{
	char fence[64];
	drain_records(op_id); /* ring buffer records first: the trace pipe is read after */
	if (trace_fd < 0)
		return;
	write_fence(fence, sizeof(fence));
	long long deadline = now_ms() + FENCE_WAIT_MS;
	while (!read_trace(op_id, fence) && fence[0]) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			fence_off = true;
			return;
		}
		struct pollfd pfd = {.fd = trace_fd, .events = POLLIN};
		poll(&pfd, 1, (int)(left < 10 ? left : 10)); /* a missed wake-up costs 10 ms */
	}
}

/* ------------------------------------------------------------------ network */

static int nl_addattr(struct nlmsghdr *n, size_t maxlen, int type, const void *data, size_t len)
{
	size_t alen = RTA_LENGTH(len);
	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(alen) > maxlen)
		return -1;
	struct rtattr *rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)alen;
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = (unsigned)(NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(alen));
	return 0;
}

static struct rtattr *nl_nest(struct nlmsghdr *n, size_t maxlen, int type)
{
	struct rtattr *nest = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
	if (nl_addattr(n, maxlen, type, NULL, 0))
		return NULL;
	return nest;
}

static void nl_nest_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)n + NLMSG_ALIGN(n->nlmsg_len) - (char *)nest);
}

static int set_link_up(const char *name)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	int err = 0;
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

static bool veth_ready;
static bool own_netns; /* --netns: the agent made the namespace it runs in */
static bool lo_ready;

/* The loopback of the agent's fresh namespace comes up when a run may use it (a trigger
 * such as `ping 127.0.0.1`, live traffic): bringing it up costs milliseconds (its IPv6
 * address, the host-wide rtnl lock) that a run of test-runs and map reads never needs. */
static void ensure_lo(void)
{
	if (own_netns && !lo_ready)
		set_link_up("lo");
	lo_ready = true;
}

/* Creates the veth pair name <-> peer (rtnetlink), both ends down. */
static int create_veth_pair(const char *name, const char *peer_name)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char attrs[512];
	} req;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	req.i.ifi_family = AF_UNSPEC;
	size_t max = sizeof(req);
	if (nl_addattr(&req.n, max, IFLA_IFNAME, name, strlen(name) + 1))
		return -EINVAL;
	struct rtattr *linkinfo = nl_nest(&req.n, max, IFLA_LINKINFO);
	if (!linkinfo || nl_addattr(&req.n, max, IFLA_INFO_KIND, "veth", 4))
		return -EINVAL;
	struct rtattr *data = nl_nest(&req.n, max, IFLA_INFO_DATA);
	struct rtattr *peer = data ? nl_nest(&req.n, max, VETH_INFO_PEER) : NULL;
	if (!peer)
		return -EINVAL;
	req.n.nlmsg_len += sizeof(struct ifinfomsg); /* the peer's (zeroed) ifinfomsg */
	if (nl_addattr(&req.n, max, IFLA_IFNAME, peer_name, strlen(peer_name) + 1))
		return -EINVAL;
	nl_nest_end(&req.n, peer);
	nl_nest_end(&req.n, data);
	nl_nest_end(&req.n, linkinfo);

	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int err = 0;
	if (sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
	} else {
		char reply[4096];
		ssize_t n = recv(fd, reply, sizeof(reply), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)reply;
		if (n < 0)
			err = -errno;
		else if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
			 h->nlmsg_type == NLMSG_ERROR)
			err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	close(fd);
	return err;
}

/* Creates the veth pair bpfl0 <-> bpfl1 (rtnetlink) and brings both ends up. */
static int ensure_veth(void)
{
	if (veth_ready || if_nametoindex(VETH_NAME)) {
		veth_ready = true;
		return 0;
	}
	int err = create_veth_pair(VETH_NAME, VETH_PEER);
	if (err)
		return err;
	/* no IPv6 autoconf chatter (router solicitations) to skew a lab's packet counters */
	write_file("/proc/sys/net/ipv6/conf/" VETH_NAME "/disable_ipv6", "1");
	write_file("/proc/sys/net/ipv6/conf/" VETH_PEER "/disable_ipv6", "1");
	if ((err = set_link_up(VETH_NAME)) || (err = set_link_up(VETH_PEER)))
		return err;
	set_link_up("lo");
	lo_ready = true;
	veth_ready = true;
	return 0;
}

/* ------------------------------------------------------------------ bpf state */

static struct bpf_link *links[64];
static size_t nlinks;
static int xdp_ifindex;
static struct bpf_tc_hook tc_hooks[2];
static size_t ntc_hooks;
static sbuf libbpf_log;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || libbpf_log.len > LIBBPF_LOG_CAP)
		return 0;
	sb_vprintf(&libbpf_log, fmt, ap);
	return 0;
}

/*
 * The XDP dispatcher. A test-run of an XDP program with repeat > 1 puts the program into
 * the kernel's XDP dispatcher for the call and takes it out after (bpf_prog_change_xdp):
 * each change patches kernel text and waits for an RCU grace period, 20-40 ms per such
 * test-run on a busy host, the better part of a lab's run. A program attached to a
 * device stays in the dispatcher, and a test-run then only counts one more user of it.
 * So before its first test-run with repeat > 1, an XDP program is attached to an end of
 * a veth pair of the agent's own that is never brought up (no frame ever reaches it):
 * one change instead of two per test-run, and what the program sees is the same. When
 * that cannot be done (no veth, a devmap program, both ends taken), the test-run goes
 * on as before. The programs are detached with the rest (detach_all), after `done`.
 */
static const char *const hold_ends[] = {HOLD_NAME, HOLD_PEER};
static int held_fds[2];
static int held_ifindex[2];
static size_t nheld;
static bool hold_broken;

static void hold_xdp(struct bpf_program *prog)
{
	int fd = bpf_program__fd(prog);
	if (hold_broken || fd < 0 || bpf_program__type(prog) != BPF_PROG_TYPE_XDP)
		return;
	for (size_t i = 0; i < nheld; i++)
		if (held_fds[i] == fd)
			return;
	if (nheld == sizeof(hold_ends) / sizeof(hold_ends[0]))
		return;
	if (!nheld && !if_nametoindex(HOLD_NAME) && create_veth_pair(HOLD_NAME, HOLD_PEER)) {
		hold_broken = true;
		return;
	}
	int ifindex = (int)if_nametoindex(hold_ends[nheld]);
	if (!ifindex || bpf_xdp_attach(ifindex, fd, XDP_FLAGS_UPDATE_IF_NOEXIST, NULL))
		return;
	held_fds[nheld] = fd;
	held_ifindex[nheld++] = ifindex;
}

static void detach_all(void)
{
	for (size_t i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	nlinks = 0;
	if (xdp_ifindex)
		bpf_xdp_detach(xdp_ifindex, 0, NULL);
	xdp_ifindex = 0;
	for (size_t i = 0; i < nheld; i++)
		bpf_xdp_detach(held_ifindex[i], 0, NULL);
	nheld = 0;
	for (size_t i = 0; i < ntc_hooks; i++)
		bpf_tc_hook_destroy(&tc_hooks[i]);
	ntc_hooks = 0;
}

static void close_ringbufs(void);

static void cleanup(void)
{
	detach_all();
	close_ringbufs();
	for (size_t i = 0; i < nobjs; i++) {
		if (objs[i].bo)
			bpf_object__close(objs[i].bo);
		objs[i].bo = NULL;
		objs[i].loaded = false;
	}
	remove_instance();
}

static struct bpf_program *find_program(struct bpf_object *obj, const char *name)
{
	if (name && *name)
		return bpf_object__find_program_by_name(obj, name);
	return bpf_object__next_program(obj, NULL);
}

static const char *prog_type_name(enum bpf_prog_type t)
{
	const char *s = libbpf_bpf_prog_type_str(t);
	return s ? s : "unknown";
}

static const char *map_type_name(enum bpf_map_type t)
{
	const char *s = libbpf_bpf_map_type_str(t);
	return s ? s : "unknown";
}

static bool map_is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH || t == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

/* ------------------------------------------------------------------ ring buffers */

/*
 * Every RINGBUF map of the object is read while the job runs (wherever the trace pipe
 * is drained), one `record` event per record. A map declared with a value type
 * (`__type(value, struct event)`, as cilium/ebpf allows) has its records decoded
 * through that BTF type; the kernel wants value_size 0 for a ring buffer, so the type
 * is remembered at open and the size set to 0 before the load.
 */
struct ringbuf_src {
	struct bpf_map *map;
	const struct btf *btf; /* the object's, for value_type */
	__u32 value_type;      /* 0: no BTF type, records are shown as hex only */
};

static struct ringbuf_src ringbufs[16];
static size_t nringbufs;
static struct ring_buffer *rb_reader;
static const char *record_op;
static long long records_out;
static bool records_truncated;

/*
 * A map may ask libbpf to pin it by name (`__uint(pinning, LIBBPF_PIN_BY_NAME)`, common in
 * tutorials): libbpf would then pin it under /sys/fs/bpf, shared by every run on the same
 * kernel, and the next object with a map of that name would reuse it, counts and all (a
 * counter lab graded twice read 20 the second time; one learner's map in another's run).
 * Nothing of a run may outlive it: every map of every object is created fresh, unpinned.
 */
static int unpin_maps(struct bpf_object *obj)
{
	struct bpf_map *map;
	bpf_object__for_each_map(map, obj)
	{
		int err = bpf_map__set_pin_path(map, NULL);
		if (err)
			return err;
	}
	return 0;
}

static void note_ringbufs(struct bpf_object *obj)
{
	struct bpf_map *map;
	nringbufs = 0;
	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__type(map) != BPF_MAP_TYPE_RINGBUF ||
		    nringbufs >= sizeof(ringbufs) / sizeof(ringbufs[0]))
			continue;
		ringbufs[nringbufs].map = map;
		ringbufs[nringbufs].btf = bpf_object__btf(obj);
		ringbufs[nringbufs].value_type =
			bpf_map__value_size(map) ? bpf_map__btf_value_type_id(map) : 0;
		if (bpf_map__value_size(map))
			bpf_map__set_value_size(map, 0);
		nringbufs++;
	}
}

static void btf_json(sbuf *b, const struct btf *btf, __u32 id, const unsigned char *d,
		     size_t avail, int depth);

static unsigned long long read_le(const unsigned char *d, size_t n)
{
	unsigned long long v = 0;
	for (size_t i = n; i > 0; i--)
		v = v << 8 | d[i - 1];
	return v;
}

static void btf_int_json(sbuf *b, const struct btf_type *t, const unsigned char *d, size_t avail)
{
	size_t size = t->size;
	if (size > 8 || size > avail) {
		sb_puts(b, "null");
		return;
	}
	unsigned long long v = read_le(d, size);
	__u8 enc = btf_is_int(t) ? btf_int_encoding(t) : (btf_kflag(t) ? BTF_INT_SIGNED : 0);
	if (enc & BTF_INT_BOOL) {
		sb_puts(b, v ? "true" : "false");
	} else if ((enc & BTF_INT_SIGNED) && size < 8 && (v >> (size * 8 - 1)) & 1) {
		sb_printf(b, "%lld", (long long)(v | (~0ULL << (size * 8))));
	} else if (enc & BTF_INT_SIGNED) {
		sb_printf(b, "%lld", (long long)v);
	} else {
		sb_printf(b, "%llu", v);
	}
}

static void btf_array_json(sbuf *b, const struct btf *btf, const struct btf_type *t,
			   const unsigned char *d, size_t avail, int depth)
{
	const struct btf_array *arr = btf_array(t);
	int elem_id = btf__resolve_type(btf, arr->type);
	const struct btf_type *et = elem_id > 0 ? btf__type_by_id(btf, elem_id) : NULL;
	long long esize = btf__resolve_size(btf, arr->type);
	if (!et || esize <= 0) {
		sb_puts(b, "null");
		return;
	}
	size_t n = arr->nelems;
	if (btf_is_int(et) && esize == 1) { /* char[N]: a string up to its NUL */
		size_t max = n < avail ? n : avail;
		size_t len = strnlen((const char *)d, max);
		sb_json_str(b, (const char *)d, len);
		return;
	}
	sb_putc(b, '[');
	for (size_t i = 0; i < n && i < 256 && (i + 1) * (size_t)esize <= avail; i++) {
		if (i)
			sb_putc(b, ',');
		btf_json(b, btf, (__u32)elem_id, d + i * (size_t)esize, avail - i * (size_t)esize,
			 depth + 1);
	}
	sb_putc(b, ']');
}

static void btf_struct_json(sbuf *b, const struct btf *btf, const struct btf_type *t,
			    const unsigned char *d, size_t avail, int depth)
{
	const struct btf_member *m = btf_members(t);
	bool first = true;
	sb_putc(b, '{');
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		const char *name = btf__name_by_offset(btf, m->name_off);
		__u32 bit = btf_member_bit_offset(t, (__u32)i);
		__u32 bits = btf_member_bitfield_size(t, (__u32)i);
		size_t off = bit / 8;
		if (!name || !*name || off >= avail)
			continue;
		if (!first)
			sb_putc(b, ',');
		first = false;
		sb_json_str(b, name, strlen(name));
		sb_putc(b, ':');
		if (bits) {
			size_t n = avail - off < 8 ? avail - off : 8;
			unsigned long long v = read_le(d + off, n) >> (bit % 8);
			sb_printf(b, "%llu", bits >= 64 ? v : v & ((1ULL << bits) - 1));
		} else {
			btf_json(b, btf, m->type, d + off, avail - off, depth + 1);
		}
	}
	sb_putc(b, '}');
}

/* A value of BTF type id at d (avail bytes) as JSON: integers, strings for char arrays,
 * lists, objects; null for what it cannot show (floats, pointers past the end, ...). */
static void btf_json(sbuf *b, const struct btf *btf, __u32 id, const unsigned char *d,
		     size_t avail, int depth)
{
	int resolved = btf__resolve_type(btf, id);
	const struct btf_type *t = resolved > 0 ? btf__type_by_id(btf, resolved) : NULL;
	if (!t || depth > 8) {
		sb_puts(b, "null");
		return;
	}
	if (btf_is_int(t) || btf_is_enum(t)) {
		btf_int_json(b, t, d, avail);
	} else if (btf_is_ptr(t)) {
		if (avail < 8)
			sb_puts(b, "null");
		else
			sb_printf(b, "\"0x%llx\"", read_le(d, 8));
	} else if (btf_is_array(t)) {
		btf_array_json(b, btf, t, d, avail, depth);
	} else if (btf_is_composite(t)) {
		btf_struct_json(b, btf, t, d, avail, depth);
	} else {
		sb_puts(b, "null");
	}
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct ringbuf_src *src = ctx;
	if (records_truncated)
		return 0;
	if (records_out >= lim.max_records) {
		sbuf t = {0};
		records_truncated = true;
		ev_begin(&t, "truncated");
		kv_str(&t, "what", "records");
		kv_int(&t, "limit", lim.max_records);
		ev_emit(&t, false);
		sb_free(&t);
		return 0;
	}
	records_out++;
	sbuf b = {0};
	ev_begin(&b, "record");
	kv_str(&b, "op", record_op);
	kv_str(&b, "map", bpf_map__name(src->map));
	kv_int(&b, "size", (long long)size);
	kv_hex(&b, "data", data, size);
	ev_key(&b, "fields");
	if (src->value_type && src->btf)
		btf_json(&b, src->btf, src->value_type, data, size, 0);
	else
		sb_puts(&b, "null");
	ev_emit(&b, false);
	sb_free(&b);
	return 0;
}

/* After a successful load: a reader over every ring buffer of the object. */
static void open_ringbufs(void)
{
	for (size_t i = 0; i < nringbufs; i++) {
		int fd = bpf_map__fd(ringbufs[i].map);
		if (!rb_reader)
			rb_reader = ring_buffer__new(fd, on_record, &ringbufs[i], NULL);
		else
			ring_buffer__add(rb_reader, fd, on_record, &ringbufs[i]);
	}
}

static void drain_records(const char *op_id)
{
	if (!rb_reader)
		return;
	record_op = op_id;
	ring_buffer__consume(rb_reader);
}

static void close_ringbufs(void)
{
	ring_buffer__free(rb_reader);
	rb_reader = NULL;
}

/* ------------------------------------------------------------------ ops */

/* One kernel log buffer per program (none at level 0). */
static char **attach_log_bufs(struct bpf_object *obj, long long level, size_t *nprogs)
{
	struct bpf_program *prog;
	size_t n = 0, i = 0;
	bpf_object__for_each_program(prog, obj) n++;
	char **bufs = calloc(n ? n : 1, sizeof(*bufs));
	if (!bufs)
		die_oom();
	bpf_object__for_each_program(prog, obj)
	{
		if (level > 0) {
			bufs[i] = calloc(1, (size_t)lim.verifier_log_bytes);
			if (!bufs[i])
				die_oom();
			bpf_program__set_log_buf(prog, bufs[i], (size_t)lim.verifier_log_bytes);
			bpf_program__set_log_level(prog, (__u32)level);
		}
		i++;
	}
	*nprogs = n;
	return bufs;
}

static void free_log_bufs(char **bufs, size_t n)
{
	if (!bufs)
		return;
	for (size_t i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
}

static void collect_logs(struct bpf_object *obj, char **bufs, size_t n, sbuf *out)
{
	struct bpf_program *prog;
	size_t i = 0;
	bpf_object__for_each_program(prog, obj)
	{
		if (i < n && bufs[i] && bufs[i][0]) {
			if (n > 1)
				sb_printf(out, "; program %s\n", bpf_program__name(prog));
			sb_put(out, bufs[i], strnlen(bufs[i], (size_t)lim.verifier_log_bytes));
		}
		i++;
	}
}

/* Keeps the last max bytes (from a line start): the verifier's verdict is at the end. */
static void cap_log_tail(sbuf *log, size_t max)
{
	if (log->len <= max)
		return;
	static const char note[] = "; ... earlier lines cut ...\n";
	size_t from = log->len - max + sizeof(note);
	while (from < log->len && log->p[from - 1] != '\n')
		from++;
	sbuf out = {0};
	sb_puts(&out, note);
	sb_put(&out, log->p + from, log->len - from);
	sb_free(log);
	*log = out;
}

/*
 * The verifier's CPU time limit. Only a fatal signal stops the verifier inside bpf(), so
 * a watchdog thread reads the process's CPU time while the object loads and, past the
 * limit, reports the load as stopped by its time limit (the learner's verdict, not a
 * sandbox failure), ends the run and exits: the exit stops the verifier at once.
 */
static double verifier_cpu_until; /* process CPU seconds; set when the load op starts */

static double process_cpu_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *watch_verifier(void *arg)
{
	const struct op *op = arg;
	const struct timespec nap = {0, 10 * 1000 * 1000};
	for (;;) {
		nanosleep(&nap, NULL); /* where op_load cancels it once the load returns */
		if (process_cpu_s() >= verifier_cpu_until) {
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
			char msg[120];
			snprintf(msg, sizeof(msg), "time limit: the verifier ran longer than %lld s",
				 lim.verifier_cpu_s);
			sbuf b = {0};
			ev_begin(&b, "load");
			kv_str(&b, "id", op->id);
			kv_bool(&b, "ok", false);
			kv_str(&b, "verifier_log", "");
			kv_str(&b, "error", msg);
			ev_key(&b, "time_limit");
			sb_puts(&b, "{\"op\":\"load\",\"id\":");
			sb_json_str(&b, op->id, strlen(op->id));
			sb_printf(&b, ",\"what\":\"verifier_cpu\",\"limit_s\":%lld}",
				  lim.verifier_cpu_s);
			ev_emit(&b, true);
			emit_done(true);
			remove_instance();
			_exit(0);
		}
	}
	return NULL;
}

static void op_load(const struct op *op, struct objfile *o, bool *load_ok)
{
	struct bpf_object *obj = NULL;
	char e[128];
	long long level = op_int(op, "log_level", 1);
	if (level < 0 || level > 2)
		level = 1;
	sbuf vlog = {0};
	sbuf kept = {0}; /* the kernel's log from an attempt whose log overflowed */
	char **bufs = NULL;
	size_t nprogs = 0;
	int err = 0;
	const char *stage_err = NULL;
	bool overflowed = false;
	verifier_cpu_until = process_cpu_s() + (double)lim.verifier_cpu_s; /* both tries */

	for (;;) {
		LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = o->name[0] ? o->name : "prog");
		sb_clear(&libbpf_log);
		obj = bpf_object__open_mem(o->data, o->len, &oopts);
		if (!obj) {
			err = -errno;
			stage_err = "open";
			break;
		}
		err = unpin_maps(obj);
		if (err) {
			stage_err = "open";
			break;
		}
		if (o == &objs[0])
			note_ringbufs(obj); /* the learner's object: its rings are read */
		bufs = attach_log_bufs(obj, level, &nprogs);
		pthread_t watchdog;
		bool watching = pthread_create(&watchdog, NULL, watch_verifier, (void *)op) == 0;
		err = bpf_object__load(obj);
		if (watching) {
			pthread_cancel(watchdog);
			pthread_join(watchdog, NULL);
		}
		if (err == -ENOSPC && level > 0) {
			/*
			 * The log outgrew its buffer, and the kernel says ENOSPC whatever the
			 * verdict. Keep what the buffer holds (since 5.x kernels rotate it: the
			 * last bytes, where the error is), and load again without a log to learn
			 * the real verdict.
			 */
			collect_logs(obj, bufs, nprogs, &kept);
			free_log_bufs(bufs, nprogs);
			bufs = NULL;
			bpf_object__close(obj);
			obj = NULL;
			level = 0;
			overflowed = true;
			continue;
		}
		if (err)
			stage_err = "load";
		break;
	}

	if (overflowed) {
		sb_printf(&vlog, "; the verifier log outgrew %lld bytes: its last part follows\n",
			  lim.verifier_log_bytes);
		sb_put(&vlog, kept.p ? kept.p : "", kept.len);
	} else if (obj && bufs) {
		collect_logs(obj, bufs, nprogs, &vlog);
	}
	/* libbpf's own messages explain failures the verifier never saw (bad ELF, maps) and
	 * carry the verifier log when log_level is 0 */
	if (err && libbpf_log.len && !overflowed)
		sb_put(&vlog, libbpf_log.p, libbpf_log.len);
	cap_log_tail(&vlog, (size_t)lim.verifier_log_bytes);
	sb_free(&kept);
	if (!err && o == &objs[0])
		open_ringbufs();

	sbuf b = {0};
	ev_begin(&b, "load");
	kv_str(&b, "id", op->id);
	if (o->name[0])
		kv_str(&b, "object", o->name);
	kv_bool(&b, "ok", err == 0);
	kv_strn(&b, "verifier_log", vlog.p ? vlog.p : "", vlog.len);
	if (err) {
		char msg[200];
		snprintf(msg, sizeof(msg), "%s%s", err_text(err, e, sizeof(e)),
			 strcmp(stage_err, "open") == 0 ? " while opening the object" : "");
		kv_str(&b, "error", msg);
	} else {
		kv_str(&b, "error", NULL);
	}
	ev_key(&b, "programs");
	sb_putc(&b, '[');
	if (obj) {
		struct bpf_program *prog;
		bool first = true;
		bpf_object__for_each_program(prog, obj)
		{
			sb_puts(&b, first ? "{" : ",{");
			first = false;
			sb_puts(&b, "\"name\":");
			sb_json_str(&b, bpf_program__name(prog), strlen(bpf_program__name(prog)));
			kv_str(&b, "section", bpf_program__section_name(prog));
			kv_str(&b, "type", prog_type_name(bpf_program__type(prog)));
			sb_putc(&b, '}');
		}
	}
	sb_putc(&b, ']');
	ev_key(&b, "maps");
	sb_putc(&b, '[');
	if (obj) {
		struct bpf_map *map;
		bool first = true;
		bpf_object__for_each_map(map, obj)
		{
			sb_puts(&b, first ? "{" : ",{");
			first = false;
			sb_puts(&b, "\"name\":");
			sb_json_str(&b, bpf_map__name(map), strlen(bpf_map__name(map)));
			kv_str(&b, "type", map_type_name(bpf_map__type(map)));
			kv_int(&b, "key_size", bpf_map__key_size(map));
			kv_int(&b, "value_size", bpf_map__value_size(map));
			kv_int(&b, "max_entries", bpf_map__max_entries(map));
			kv_int(&b, "flags", (long long)bpf_map__map_flags(map));
			sb_putc(&b, '}');
		}
	}
	sb_putc(&b, ']');
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
	sb_free(&vlog);
	free_log_bufs(bufs, nprogs);
	o->bo = obj;
	o->loaded = err == 0;
	*load_ok = err == 0;
}

static void result_begin(sbuf *b, const char *event, const struct op *op)
{
	ev_begin(b, event);
	kv_str(b, "id", op->id);
}

static void result_fail(sbuf *b, const char *msg)
{
	kv_bool(b, "ok", false);
	kv_str(b, "error", msg);
}

static void result_ok(sbuf *b)
{
	kv_bool(b, "ok", true);
	kv_str(b, "error", NULL);
}

/* An op that failed with a message of its own (bad), with an errno (err), or not at all. */
static void result_outcome(sbuf *b, const char *bad, int err)
{
	char e[96];
	if (bad)
		result_fail(b, bad);
	else if (err)
		result_fail(b, err_text(err, e, sizeof(e)));
	else
		result_ok(b);
}

/* The object an op works on: its `object` (a named object loaded earlier) or the main one.
 * NULL (with the op's failure written to b) when there is no such loaded object. */
static struct bpf_object *op_object(const struct op *op, sbuf *b)
{
	const char *name = op_str(op, "object");
	struct objfile *o = name && *name ? object_named(name) : &objs[0];
	if (!o || !o->loaded) {
		char msg[200];
		snprintf(msg, sizeof(msg), "no loaded object named '%.100s'", name ? name : "");
		result_fail(b, msg);
		return NULL;
	}
	return o->bo;
}

static struct bpf_map *find_map(struct bpf_object *obj, const char *name, sbuf *b)
{
	struct bpf_map *map = name ? bpf_object__find_map_by_name(obj, name) : NULL;
	if (!map) {
		char msg[200];
		snprintf(msg, sizeof(msg), "no map named '%.100s'", name ? name : "");
		result_fail(b, msg);
	}
	return map;
}

/* The map an op names (`map`) in its object (see op_object), and that object in *obj when
 * obj is not NULL. NULL (with the op's failure written to b) when either is missing. */
static struct bpf_map *op_map(const struct op *op, sbuf *b, struct bpf_object **obj)
{
	struct bpf_object *o = op_object(op, b);
	if (obj)
		*obj = o;
	return o ? find_map(o, op_str(op, "map"), b) : NULL;
}

/* The op's `key` for map, hex decoded into *key (the caller frees it, whatever this
 * returns). false (with the op's failure written to b) when it is missing or not hex
 * (the failure is not_hex) or is not key_size bytes. */
static bool map_key(const struct op *op, struct bpf_map *map, const char *not_hex, sbuf *b,
		    unsigned char **key)
{
	const struct kv *k = op_get(op, "key");
	size_t klen = 0;
	if (!k || hex_decode(k->val, k->len, key, &klen)) {
		result_fail(b, not_hex);
		return false;
	}
	if (klen != bpf_map__key_size(map)) {
		char msg[128];
		snprintf(msg, sizeof(msg), "key is %zu bytes, the map's key_size is %u", klen,
			 bpf_map__key_size(map));
		result_fail(b, msg);
		return false;
	}
	return true;
}

/* Empties one entry (a PROG_ARRAY slot, so a tail call through it falls through); an
 * entry that is not there is already empty: ok. */
static void op_map_delete(const struct op *op)
{
	sbuf b = {0};
	char e[96];
	result_begin(&b, "map_delete", op);
	struct bpf_map *map = op_map(op, &b, NULL);
	unsigned char *key = NULL;
	if (!map || !map_key(op, map, "key must be hex", &b, &key)) {
		/* already reported */
	} else if (bpf_map_delete_elem(bpf_map__fd(map), key) && errno != ENOENT) {
		result_fail(&b, err_text(-errno, e, sizeof(e)));
	} else {
		result_ok(&b);
	}
	free(key);
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

static void op_map_update(const struct op *op)
{
	sbuf b = {0};
	char e[96];
	result_begin(&b, "map_update", op);
	struct bpf_object *obj;
	struct bpf_map *map = op_map(op, &b, &obj);
	unsigned char *key = NULL, *val = NULL;
	size_t vlen = 0;
	const struct kv *v = op_get(op, "value");
	/* program=NAME: the value is that program of the object (a PROG_ARRAY slot) */
	const char *vprog = op_str(op, "program");
	struct bpf_program *slot_prog =
		vprog && obj ? bpf_object__find_program_by_name(obj, vprog) : NULL;
	if (slot_prog) {
		int fd = bpf_program__fd(slot_prog);
		val = malloc(sizeof(fd));
		if (!val)
			die_oom();
		memcpy(val, &fd, sizeof(fd));
		vlen = sizeof(fd);
	}
	if (!map) {
		/* already reported */
	} else if (vprog && !slot_prog) {
		char msg[200];
		snprintf(msg, sizeof(msg), "no program named '%.100s' to store in %.60s", vprog,
			 bpf_map__name(map));
		result_fail(&b, msg);
	} else if (!vprog && (!v || hex_decode(v->val, v->len, &val, &vlen))) {
		result_fail(&b, "key and value must be hex");
	} else if (!map_key(op, map, "key and value must be hex", &b, &key)) {
		/* already reported */
	} else {
		size_t want = bpf_map__value_size(map);
		unsigned char *full = NULL;
		if (map_is_percpu(bpf_map__type(map))) {
			/* one value given: the same value on every possible CPU */
			int ncpu = libbpf_num_possible_cpus();
			size_t stride = (want + 7) & ~(size_t)7;
			if (vlen == want && ncpu > 0) {
				full = calloc((size_t)ncpu, stride);
				if (!full)
					die_oom();
				for (int c = 0; c < ncpu; c++)
					memcpy(full + (size_t)c * stride, val, vlen);
			}
		} else if (vlen == want) {
			full = val;
		}
		if (!full) {
			char msg[128];
			snprintf(msg, sizeof(msg), "value is %zu bytes, the map's value_size is %zu",
				 vlen, want);
			result_fail(&b, msg);
		} else {
			int err = bpf_map_update_elem(bpf_map__fd(map), key, full,
						      (__u64)op_int(op, "flags", 0));
			if (err)
				result_fail(&b, err_text(-errno, e, sizeof(e)));
			else
				result_ok(&b);
			if (full != val)
				free(full);
		}
	}
	free(key);
	free(val);
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

static void op_test_run(const struct op *op)
{
	sbuf b = {0};
	char e[96];
	result_begin(&b, "test_run", op);
	const char *pname = op_str(op, "program");
	struct bpf_object *obj = op_object(op, &b);
	struct bpf_program *prog = obj ? find_program(obj, pname) : NULL;
	const struct kv *data = op_get(op, "data");
	long long repeat = op_int(op, "repeat", 1);
	unsigned char *in = NULL;
	size_t inlen = 0;
	if (!obj) {
		/* already reported */
	} else if (!prog) {
		char msg[160];
		snprintf(msg, sizeof(msg), "no program named '%.100s'", pname ? pname : "");
		result_fail(&b, msg);
	} else if (repeat < 1 || repeat > lim.max_repeat) {
		char msg[128];
		snprintf(msg, sizeof(msg), "repeat must be between 1 and %lld", lim.max_repeat);
		result_fail(&b, msg);
	} else if (!data || hex_decode(data->val, data->len, &in, &inlen)) {
		result_fail(&b, "data must be hex");
	} else {
		size_t outcap = inlen + 256;
		unsigned char *out = calloc(1, outcap);
		if (!out)
			die_oom();
		if (repeat > 1)
			hold_xdp(prog);
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = in, .data_size_in = (__u32)inlen,
			    .data_out = out, .data_size_out = (__u32)outcap, .repeat = (int)repeat);
		int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
		if (err) {
			result_fail(&b, err_text(-errno, e, sizeof(e)));
		} else {
			size_t outlen = topts.data_size_out < outcap ? topts.data_size_out : outcap;
			const char *mode = op_str(op, "output");
			bool same = outlen == inlen && !memcmp(out, in, inlen);
			kv_bool(&b, "ok", true);
			kv_int(&b, "retval", (long long)topts.retval);
			if (mode && !strcmp(mode, "changed") && same)
				kv_bool(&b, "unchanged", true); /* the host has the bytes already */
			else
				kv_hex(&b, "data_out", out, outlen);
			kv_int(&b, "duration_ns", (long long)topts.duration);
			kv_str(&b, "error", NULL);
		}
		free(out);
	}
	free(in);
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

/* Writes ,"map":..,"type":..,"key_size":..,"value_size":..,"percpu":..,"entries":[..] and
 * sets *truncated when max_map_entries cut it; returns 0 or -errno. */
static int map_json(sbuf *b, struct bpf_map *map, bool *truncated)
{
	enum bpf_map_type type = bpf_map__type(map);
	bool percpu = map_is_percpu(type);
	size_t ksize = bpf_map__key_size(map), vsize = bpf_map__value_size(map);
	int ncpu = percpu ? libbpf_num_possible_cpus() : 1;
	size_t stride = percpu ? ((vsize + 7) & ~(size_t)7) : vsize;
	int fd = bpf_map__fd(map);
	unsigned char *key = calloc(1, ksize + 1), *next = calloc(1, ksize + 1);
	unsigned char *val = calloc((size_t)(ncpu > 0 ? ncpu : 1), stride + 8);
	if (!key || !next || !val)
		die_oom();
	kv_str(b, "map", bpf_map__name(map));
	kv_str(b, "type", map_type_name(type));
	kv_int(b, "key_size", (long long)ksize);
	kv_int(b, "value_size", (long long)vsize);
	kv_bool(b, "percpu", percpu);
	ev_key(b, "entries");
	sb_putc(b, '[');
	long long count = 0;
	int err = 0;
	const void *cur = NULL;
	*truncated = false;
	for (;;) {
		if (bpf_map_get_next_key(fd, cur, next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		memcpy(key, next, ksize);
		cur = key;
		if (bpf_map_lookup_elem(fd, key, val)) {
			if (errno == ENOENT)
				continue; /* deleted meanwhile */
			err = -errno;
			break;
		}
		if (count >= lim.max_map_entries) {
			*truncated = true;
			break;
		}
		sb_puts(b, count ? ",{\"key\":" : "{\"key\":");
		sb_hex(b, key, ksize);
		if (percpu) {
			sb_puts(b, ",\"values\":[");
			for (int c = 0; c < ncpu; c++) {
				if (c)
					sb_putc(b, ',');
				sb_hex(b, val + (size_t)c * stride, vsize);
			}
			sb_putc(b, ']');
		} else {
			sb_puts(b, ",\"value\":");
			sb_hex(b, val, vsize);
		}
		sb_putc(b, '}');
		count++;
	}
	sb_putc(b, ']');
	free(key);
	free(next);
	free(val);
	return err;
}

static void op_map_dump(const struct op *op)
{
	sbuf b = {0};
	char e[96];
	result_begin(&b, "map_dump", op);
	struct bpf_map *map = op_map(op, &b, NULL);
	if (map) {
		bool truncated = false;
		int err = map_json(&b, map, &truncated);
		kv_bool(&b, "truncated", truncated);
		kv_bool(&b, "ok", err == 0);
		kv_str(&b, "error", err ? err_text(err, e, sizeof(e)) : NULL);
		if (truncated) {
			sbuf t = {0};
			ev_begin(&t, "truncated");
			kv_str(&t, "what", "map");
			kv_int(&t, "limit", lim.max_map_entries);
			kv_str(&t, "map", bpf_map__name(map));
			drain_trace(op->id);
			ev_emit(&t, false);
			sb_free(&t);
		}
	}
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

static int attach_netdev(struct bpf_program *prog, const char *target, char *desc, size_t dsize)
{
	enum bpf_prog_type type = bpf_program__type(prog);
	bool want_xdp = target ? !strcmp(target, "xdp") : type == BPF_PROG_TYPE_XDP;
	bool egress = target && !strcmp(target, "tc/egress");
	int err = ensure_veth();
	if (err)
		return err;
	int ifindex = (int)if_nametoindex(VETH_NAME);
	if (!ifindex)
		return -ENODEV;
	if (want_xdp) {
		err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), 0, NULL);
		if (err)
			return err;
		xdp_ifindex = ifindex;
		snprintf(desc, dsize, "xdp:%s", VETH_NAME);
		return 0;
	}
	if (ntc_hooks >= 2)
		return -EBUSY;
	struct bpf_tc_hook *hook = &tc_hooks[ntc_hooks];
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
	err = bpf_tc_hook_create(hook);
	if (err && err != -EEXIST)
		return err;
	ntc_hooks++;
	LIBBPF_OPTS(bpf_tc_opts, topts, .prog_fd = bpf_program__fd(prog));
	err = bpf_tc_attach(hook, &topts);
	if (err)
		return err;
	snprintf(desc, dsize, "tc:%s:%s", VETH_NAME, egress ? "egress" : "ingress");
	return 0;
}

/* Whether the op lets this program attach: no `sec` list, or its section is on it. */
static bool section_allowed(const struct op *op, struct bpf_program *prog)
{
	bool listed = false;
	for (size_t i = 0; i < op->nkv; i++) {
		if (strcmp(op->kvs[i].key, "sec"))
			continue;
		listed = true;
		if (!strcmp(op->kvs[i].val, bpf_program__section_name(prog)))
			return true;
	}
	return !listed;
}

/* Attaches one program; desc says where. Returns 0 or -errno. */
static int attach_one(struct bpf_program *prog, const char *target, char *desc, size_t dsize)
{
	enum bpf_prog_type type = bpf_program__type(prog);
	bool netdev = target ? (!strcmp(target, "xdp") || !strncmp(target, "tc", 2))
			     : (type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS);
	if (target && (!strncmp(target, "tracepoint/", 11) || !strncmp(target, "kprobe/", 7)))
		netdev = false;
	if (netdev)
		return attach_netdev(prog, target, desc, dsize);
	if (nlinks >= sizeof(links) / sizeof(links[0]))
		return -EMFILE;
	struct bpf_link *link = NULL;
	int err = 0;
	if (target && !strncmp(target, "tracepoint/", 11)) {
		char cat[128];
		const char *rest = target + 11, *slash = strchr(rest, '/');
		if (!slash || slash == rest || (size_t)(slash - rest) >= sizeof(cat))
			return -EINVAL;
		snprintf(cat, sizeof(cat), "%.*s", (int)(slash - rest), rest);
		link = bpf_program__attach_tracepoint(prog, cat, slash + 1);
		snprintf(desc, dsize, "%s", target);
	} else if (target && !strncmp(target, "kprobe/", 7)) {
		/* the lab's function, whatever the section names: a wrong section must not
		 * put a printing program on a hot function */
		link = bpf_program__attach_kprobe(prog, false, target + 7);
		snprintf(desc, dsize, "%s", target);
	} else if (target) {
		return -EINVAL;
	} else {
		link = bpf_program__attach(prog);
		snprintf(desc, dsize, "%s", bpf_program__section_name(prog));
	}
	if (!link)
		err = errno ? -errno : -EINVAL;
	else
		links[nlinks++] = link;
	return err;
}

/*
 * program: a name, null (the first program) or "*" (every program, each where its
 * section says). sec=...: the sections a program may attach from (the lab's own), so a
 * program in a wrong section is refused instead of attached to some hot function.
 */
static void op_attach(const struct op *op)
{
	sbuf b = {0};
	char e[96], desc[300] = "";
	sbuf where = {0};
	result_begin(&b, "attach", op);
	const char *pname = op_str(op, "program");
	const char *target = op_str(op, "target");
	if (target && !*target)
		target = NULL;
	bool all = pname && !strcmp(pname, "*");
	struct bpf_object *obj = op_object(op, &b);
	struct bpf_program *prog = NULL;
	int err = 0;
	char msg[400];
	msg[0] = '\0';
	if (!obj)
		goto out;
	prog = all ? bpf_object__next_program(obj, NULL) : find_program(obj, pname);
	if (!prog) {
		snprintf(msg, sizeof(msg), "no program named '%.100s'", pname ? pname : "");
		result_fail(&b, msg);
		goto out;
	}
	for (; prog; prog = all ? bpf_object__next_program(obj, prog) : NULL) {
		if (!section_allowed(op, prog)) {
			snprintf(msg, sizeof(msg), "program %.100s is in section '%.100s', not one this lab attaches",
				 bpf_program__name(prog), bpf_program__section_name(prog));
			err = -EINVAL;
			break;
		}
		desc[0] = '\0';
		err = attach_one(prog, target, desc, sizeof(desc));
		if (err)
			break;
		if (where.len)
			sb_putc(&where, ',');
		sb_puts(&where, desc);
	}
	if (err) {
		if (!msg[0] && err == -EINVAL && target)
			snprintf(msg, sizeof(msg), "cannot attach to target '%.100s': %s", target,
				 err_text(err, e, sizeof(e)));
		else if (!msg[0] && prog && all)
			snprintf(msg, sizeof(msg), "program %.100s: %s", bpf_program__name(prog),
				 err_text(err, e, sizeof(e)));
		else if (!msg[0])
			snprintf(msg, sizeof(msg), "%s", err_text(err, e, sizeof(e)));
		kv_str(&b, "target", target ? target : (desc[0] ? desc : NULL));
		result_fail(&b, msg);
	} else {
		kv_bool(&b, "ok", true);
		kv_str(&b, "target", where.p ? where.p : "");
		kv_str(&b, "error", NULL);
	}
out:
	sb_free(&where);
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

static void op_traffic(const struct op *op)
{
	sbuf b = {0};
	result_begin(&b, "traffic", op);
	long long count = op_int(op, "count", 1);
	long long sent = 0;
	int err = 0;
	const char *bad = NULL;
	int fd = -1;
	if (count < 1 || count > lim.max_repeat) {
		bad = "count out of range";
		goto out;
	}
	if ((err = ensure_veth()))
		goto out;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = (int)if_nametoindex(VETH_PEER),
		.sll_halen = ETH_ALEN,
	};
	for (size_t i = 0; i < op->nkv && !err && !bad; i++) {
		const struct kv *kv = &op->kvs[i];
		unsigned char *frame;
		size_t flen;
		if (strcmp(kv->key, "pkt"))
			continue;
		if (hex_decode(kv->val, kv->len, &frame, &flen)) {
			bad = "packets must be hex";
			break;
		}
		if (flen < ETH_HLEN) {
			free(frame);
			bad = "a frame is shorter than an Ethernet header (14 bytes)";
			break;
		}
		sll.sll_protocol = htons((uint16_t)(frame[12] << 8 | frame[13]));
		memcpy(sll.sll_addr, frame, ETH_ALEN);
		for (long long c = 0; c < count; c++) {
			if (sendto(fd, frame, flen, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
				err = -errno;
				break;
			}
			sent++;
		}
		free(frame);
	}
out:
	if (fd >= 0)
		close(fd);
	kv_int(&b, "sent", sent);
	result_outcome(&b, bad, err);
	usleep(2000); /* let the receive softirq run before the trace drain */
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

/* TRIGGER_ALLOW_LIST and TRIGGER_BUILTINS: sandbox/job.py's lists, written into this
 * header by sandbox/build.py */
#include "bpflab_triggers.h"
static const char *const trigger_allow[] = {TRIGGER_ALLOW_LIST};

/*
 * Built-in triggers: the agent's forked child does the work itself, so no exec of a
 * helper shows up in an exec tracepoint, and every call comes from the trigger's pid.
 *   @create PATH...    creates each file (O_EXCL)
 *   @rm PATH...        unlink(2) of each path (a missing one fails with ENOENT: wanted)
 *   @rm-at DIR NAME    unlinkat(2) of NAME relative to DIR (opened as a directory)
 *   @exec PATH         execv(2) of PATH, which must resolve to an allow-listed program
 *   @exec-thread PATH  the same from a second thread (its tid is not the tgid)
 *   @exec-retry MISSING... PATH
 *                      execv(2) of each MISSING in turn, none of which may exist (each
 *                      call fails with ENOENT), then @exec PATH: several execs, one process
 * Exit status: 0 when every call succeeded, 1 when one failed, 2 on bad arguments.
 */
static const char *const trigger_builtins[] = {TRIGGER_BUILTINS};

static bool trigger_allowed(const char *argv0)
{
	for (size_t i = 0; i < sizeof(trigger_allow) / sizeof(trigger_allow[0]); i++)
		if (!strcmp(argv0, trigger_allow[i]))
			return true;
	for (size_t i = 0; i < sizeof(trigger_builtins) / sizeof(trigger_builtins[0]); i++)
		if (!strcmp(argv0, trigger_builtins[i]))
			return true;
	return false;
}

struct exec_request {
	char *path;
	char *argv[2];
	int status_fd;
};

/* execv of an allow-listed program by another path; argv[0] is its own name (busybox
 * picks the applet by it). Returns only on failure, with errno. */
static int exec_allowed(struct exec_request *req)
{
	char want[PATH_MAX], got[PATH_MAX];
	if (!realpath(req->path, got))
		return errno;
	for (size_t i = 0; i < sizeof(trigger_allow) / sizeof(trigger_allow[0]); i++) {
		if (!realpath(trigger_allow[i], want) || strcmp(want, got))
			continue;
		const char *base = strrchr(trigger_allow[i], '/');
		req->argv[0] = (char *)(base ? base + 1 : trigger_allow[i]);
		req->argv[1] = NULL;
		execv(req->path, req->argv);
		return errno;
	}
	return EACCES;
}

static void *exec_thread(void *arg)
{
	struct exec_request *req = arg;
	int err = exec_allowed(req);
	if (write(req->status_fd, &err, sizeof(err)) < 0) {
		/* the exit status says it failed */
	}
	return NULL;
}

/* Runs in the trigger's child; st is the pipe an exec failure's errno goes to. */
static int builtin_trigger(size_t argc, char **argv, int st)
{
	const char *cmd = argv[0];
	int failed = 0;
	if (!strcmp(cmd, "@create") || !strcmp(cmd, "@rm")) {
		if (argc < 2)
			return 2;
		for (size_t i = 1; i < argc; i++) {
			if (!strcmp(cmd, "@rm")) {
				failed |= unlink(argv[i]) != 0;
				continue;
			}
			int fd = open(argv[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			failed |= fd < 0;
			if (fd >= 0)
				close(fd);
		}
		return failed;
	}
	if (!strcmp(cmd, "@rm-at")) {
		if (argc != 3)
			return 2;
		int dir = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir < 0)
			return 1;
		failed = unlinkat(dir, argv[2], 0) != 0;
		close(dir);
		return failed;
	}
	if (!strcmp(cmd, "@exec-retry")) {
		struct stat missing;
		if (argc < 3)
			return 2;
		for (size_t i = 1; i + 1 < argc; i++)
			if (lstat(argv[i], &missing) == 0 || errno != ENOENT)
				return 2; /* before any exec: a path that exists is never run */
		for (size_t i = 1; i + 1 < argc; i++) {
			char *missing_argv[] = {argv[i], NULL};
			execv(argv[i], missing_argv); /* fails: the tracepoint saw it all the same */
		}
		argv[1] = argv[argc - 1];
		argc = 2;
		cmd = "@exec";
	}
	if (argc != 2)
		return 2;
	struct exec_request req = {.path = argv[1], .status_fd = st};
	if (!strcmp(cmd, "@exec")) {
		int err = exec_allowed(&req);
		if (write(st, &err, sizeof(err)) < 0) {
			/* the exit status says it failed */
		}
		return 127;
	}
	pthread_t thread;
	if (pthread_create(&thread, NULL, exec_thread, &req))
		return 1;
	pthread_join(thread, NULL); /* returns only when the exec failed */
	return 127;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void op_trigger(const struct op *op)
{
	sbuf b = {0};
	char e[96];
	ensure_lo(); /* so a `ping 127.0.0.1` trigger works in the fresh namespace */
	result_begin(&b, "trigger", op);
	/* argv lives in one stack buffer the child inherits: bpf_probe_read_user_str in a
	 * tracepoint cannot fault pages in, and these pages are touched (copied) here */
	char argbuf[4096];
	char *argv[33];
	size_t used = 0, argc = 0;
	bool too_big = false;
	for (size_t i = 0; i < op->nkv; i++) {
		const struct kv *kv = &op->kvs[i];
		if (strcmp(kv->key, "arg"))
			continue;
		if (argc >= 32 || used + kv->len + 1 > sizeof(argbuf)) {
			too_big = true;
			break;
		}
		memcpy(argbuf + used, kv->val, kv->len + 1);
		argv[argc++] = argbuf + used;
		used += kv->len + 1;
	}
	argv[argc] = NULL;
	long long timeout_ms = op_int(op, "timeout_ms", 5000);
	bool allowed = argc && trigger_allowed(argv[0]);
	if (too_big || argc == 0) {
		result_fail(&b, "argv is empty or too long");
		kv_str(&b, "exit_code", NULL);
		goto out;
	}
	if (!allowed) {
		result_fail(&b, "command is not on the trigger allow list");
		kv_str(&b, "exit_code", NULL);
		goto out;
	}
	/* the child waits on go[] until its pid is in the trace filter, then execs */
	/* and reports an exec failure's errno on st[] (closed unwritten by a good exec) */
	int go[2], st[2];
	if (pipe2(go, O_CLOEXEC)) {
		result_fail(&b, err_text(-errno, e, sizeof(e)));
		kv_str(&b, "exit_code", NULL);
		goto out;
	}
	if (pipe2(st, O_CLOEXEC)) {
		result_fail(&b, err_text(-errno, e, sizeof(e)));
		kv_str(&b, "exit_code", NULL);
		close(go[0]);
		close(go[1]);
		goto out;
	}
	pid_t pid = fork();
	if (pid < 0) {
		result_fail(&b, err_text(-errno, e, sizeof(e)));
		kv_str(&b, "exit_code", NULL);
		close(go[0]);
		close(go[1]);
		close(st[0]);
		close(st[1]);
		goto out;
	}
	if (pid == 0) {
		char ready;
		close(go[1]);
		while (read(go[0], &ready, 1) < 0 && errno == EINTR)
			;
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		sigaction(SIGPIPE, &dfl, NULL);
		for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
			sigaction(fatal_signals[i], &dfl, NULL);
		/* a name drawn for the run, so a program cannot pick the harness's triggers
		 * out by the agent's own name (an exec gives the program's name anyway) */
		const char *comm = op_str(op, "comm");
		if (comm && *comm)
			prctl(PR_SET_NAME, comm, 0, 0, 0);
		if (argv[0][0] == '@')
			_exit(builtin_trigger(argc, argv, st[1]));
		execv(argv[0], argv);
		int exec_errno = errno;
		if (write(st[1], &exec_errno, sizeof(exec_errno)) < 0) {
			/* the parent sees exit status 127 instead */
		}
		_exit(127);
	}
	close(go[0]);
	close(st[1]);
	if (nchildren < MAX_CHILDREN) {
		children[nchildren++] = pid;
		if (kernel_pid_filter)
			update_pid_filter();
	}
	running_child = pid;
	close(go[1]); /* EOF: go ahead */
	int exec_errno = 0;
	struct pollfd pfd = {.fd = st[0], .events = POLLIN};
	if (poll(&pfd, 1, (int)(timeout_ms < 1000 ? timeout_ms : 1000)) > 0 &&
	    read(st[0], &exec_errno, sizeof(exec_errno)) != (ssize_t)sizeof(exec_errno))
		exec_errno = 0;
	close(st[0]);
	double deadline = now_s() + (double)timeout_ms / 1000.0;
	int status = 0;
	bool timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			break;
		if (now_s() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			timed_out = true;
			break;
		}
		drain_trace(op->id);
		usleep(1000);
	}
	running_child = 0;
	kv_int(&b, "pid", pid);
	if (exec_errno) {
		char msg[200];
		snprintf(msg, sizeof(msg), "cannot run %.100s: %s", argv[0],
			 err_text(exec_errno, e, sizeof(e)));
		result_fail(&b, msg);
		kv_str(&b, "exit_code", NULL);
	} else if (timed_out) {
		char msg[96];
		snprintf(msg, sizeof(msg), "timed out after %lld ms", timeout_ms);
		result_fail(&b, msg);
		kv_str(&b, "exit_code", NULL);
	} else {
		kv_bool(&b, "ok", true);
		kv_int(&b, "exit_code",
		       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		kv_str(&b, "error", NULL);
	}
out:
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

static void op_trace(const struct op *op)
{
	long long wait_ms = op_int(op, "wait_ms", 100);
	if (wait_ms < 0)
		wait_ms = 0;
	if (wait_ms > 10000)
		wait_ms = 10000;
	double deadline = now_s() + (double)wait_ms / 1000.0;
	do {
		drain_trace(op->id);
		usleep(5000);
	} while (now_s() < deadline);
	drain_trace(op->id);
}

/* ------------------------------------------------------------------ live mode */

/*
 * A live op keeps the attached program busy for duration_ms: frames sent from the veth
 * peer at `rate` a second (round robin over its pkt= frames), or its trigger (arg=...)
 * run every `every_ms` (each run's `trigger` event, and the lines read while it runs, carry
 * the id "<live id>#trigger"). Trace lines (and ring buffer records) are emitted as they come;
 * every interval_ms a `snapshot` event carries the maps named by snap=... The host may
 * end it early with the line "stop" on the job channel (job.STOP_LINE). It ends with a
 * `live` result: sent, triggers, ticks, stopped ("limit" or "stop"), elapsed_ms.
 */
static bool stdin_eof;

/* Whether the host asked to stop: a line "stop" in what follows the job on stdin. */
static bool stop_requested(void)
{
	while (!stdin_eof) {
		char *nl = in_len ? memchr(in_buf, '\n', in_len) : NULL;
		if (nl) {
			size_t n = (size_t)(nl - in_buf);
			bool stop = n >= 4 && !strncmp(in_buf, "stop", 4);
			memmove(in_buf, nl + 1, in_len - n - 1);
			in_len -= n + 1;
			if (stop)
				return true;
			continue;
		}
		struct pollfd pfd = {.fd = 0, .events = POLLIN};
		if (poll(&pfd, 1, 0) <= 0)
			return false;
		if (in_fill() <= 0) {
			stdin_eof = true; /* the host closed the channel: no stop can come */
			return false;
		}
	}
	return false;
}

static void emit_snapshot(const struct op *op, long long tick, long long elapsed_ms,
			  long long sent, long long triggers)
{
	sbuf b = {0};
	ev_begin(&b, "snapshot");
	kv_str(&b, "op", op->id);
	kv_int(&b, "tick", tick);
	kv_int(&b, "elapsed_ms", elapsed_ms);
	kv_int(&b, "sent", sent);
	kv_int(&b, "triggers", triggers);
	ev_key(&b, "maps");
	sb_putc(&b, '[');
	bool first = true;
	struct bpf_object *obj = objs[0].loaded ? objs[0].bo : NULL; /* live: the main object */
	for (size_t i = 0; i < op->nkv; i++) {
		if (strcmp(op->kvs[i].key, "snap"))
			continue;
		struct bpf_map *map = obj ? bpf_object__find_map_by_name(obj, op->kvs[i].val) : NULL;
		if (!map)
			continue;
		bool truncated = false;
		sb_puts(&b, first ? "{\"ok\":true" : ",{\"ok\":true");
		map_json(&b, map, &truncated);
		kv_bool(&b, "truncated", truncated);
		sb_putc(&b, '}');
		first = false;
	}
	sb_putc(&b, ']');
	ev_emit(&b, false);
	sb_free(&b);
}

struct live_frames {
	unsigned char **data;
	size_t *len;
	size_t n;
};

static const char *live_frames_read(const struct op *op, struct live_frames *f)
{
	f->data = calloc(op->nkv + 1, sizeof(*f->data));
	f->len = calloc(op->nkv + 1, sizeof(*f->len));
	if (!f->data || !f->len)
		die_oom();
	for (size_t i = 0; i < op->nkv; i++) {
		if (strcmp(op->kvs[i].key, "pkt"))
			continue;
		if (hex_decode(op->kvs[i].val, op->kvs[i].len, &f->data[f->n], &f->len[f->n]))
			return "packets must be hex";
		if (f->len[f->n++] < ETH_HLEN)
			return "a frame is shorter than an Ethernet header (14 bytes)";
	}
	return NULL;
}

static void live_frames_free(struct live_frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->data[i]);
	free(f->data);
	free(f->len);
}

static void op_live(const struct op *op)
{
	sbuf b = {0};
	long long duration_ms = op_int(op, "duration_ms", 1000);
	long long interval_ms = op_int(op, "interval_ms", 1000);
	long long rate = op_int(op, "rate", 0), every_ms = op_int(op, "every_ms", 0);
	bool traffic = op_get(op, "pkt") != NULL;
	struct live_frames frames = {0};
	const char *bad = NULL, *stopped = "limit";
	long long sent = 0, triggers = 0, ticks = 0;
	int err = 0, fd = -1;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_halen = ETH_ALEN};
	double start = now_s();
	if (duration_ms < 1 || interval_ms < 1 || (traffic ? rate < 1 : every_ms < 1)) {
		bad = "duration_ms, interval_ms and rate or every_ms must be positive";
		goto out;
	}
	if (traffic) {
		if ((bad = live_frames_read(op, &frames)))
			goto out;
		if ((err = ensure_veth()))
			goto out;
		fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			err = -errno;
			goto out;
		}
		sll.sll_ifindex = (int)if_nametoindex(VETH_PEER);
	}
	char trigger_id[300];
	snprintf(trigger_id, sizeof(trigger_id), "%.250s#trigger", op->id);
	struct op trigger_op = *op;
	trigger_op.id = trigger_id;
	start = now_s();
	double end = start + (double)duration_ms / 1000.0;
	double next_snap = start + (double)interval_ms / 1000.0, next_trigger = start;
	for (;;) {
		double now = now_s();
		if (now >= end)
			break;
		if (stop_requested()) {
			stopped = "stop";
			break;
		}
		if (traffic) {
			long long due = (long long)((now - start) * (double)rate) + 1;
			for (int burst = 0; sent < due && burst < 256; burst++) {
				size_t i = (size_t)(sent % (long long)frames.n);
				sll.sll_protocol = htons((uint16_t)(frames.data[i][12] << 8 | frames.data[i][13]));
				memcpy(sll.sll_addr, frames.data[i], ETH_ALEN);
				if (sendto(fd, frames.data[i], frames.len[i], 0, (struct sockaddr *)&sll,
					   sizeof(sll)) < 0) {
					err = -errno;
					goto out;
				}
				sent++;
			}
		} else if (now >= next_trigger) {
			op_trigger(&trigger_op); /* events with the id "<live id>#trigger" */
			triggers++;
			next_trigger += (double)every_ms / 1000.0;
			if (next_trigger < now_s())
				next_trigger = now_s();
		}
		drain_trace(op->id);
		if (now_s() >= next_snap) {
			emit_snapshot(op, ++ticks, (long long)((now_s() - start) * 1000), sent, triggers);
			next_snap += (double)interval_ms / 1000.0;
		}
		usleep(traffic && rate > 500 ? 500 : 2000);
	}
	usleep(2000); /* let the last frames' softirq run before the final drain */
	drain_trace(op->id);
	emit_snapshot(op, ++ticks, (long long)((now_s() - start) * 1000), sent, triggers);
out:
	if (fd >= 0)
		close(fd);
	live_frames_free(&frames);
	result_begin(&b, "live", op);
	kv_int(&b, "sent", sent);
	kv_int(&b, "triggers", triggers);
	kv_int(&b, "ticks", ticks);
	kv_str(&b, "stopped", bad || err ? NULL : stopped);
	kv_int(&b, "elapsed_ms", (long long)((now_s() - start) * 1000));
	result_outcome(&b, bad, err);
	drain_trace(op->id);
	ev_emit(&b, false);
	sb_free(&b);
}

static bool run_ops(void)
{
	bool loaded = false;
	for (size_t i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		if (i == 0 && strcmp(op->name, "load")) {
			emit_error("bad job: the first operation must be load");
			return false;
		}
		if (!strcmp(op->name, "load") && i) {
			/* a named object, e.g. a reference run beside the main program: its
			 * failure is a result like any other op's, the job goes on */
			const char *name = op_str(op, "object");
			struct objfile *o = name && *name ? object_named(name) : NULL;
			bool ok;
			if (!o || o->bo) {
				emit_error("bad job: a later load must name an object not loaded yet");
				return false;
			}
			op_load(op, o, &ok);
		} else if (!strcmp(op->name, "load")) {
			if (op_str(op, "object")) {
				emit_error("bad job: the first load is the main object's");
				return false;
			}
			emit_simple("stage", "stage", "loading", false);
			op_load(op, &objs[0], &loaded);
			if (!loaded)
				return true; /* a rejected program is a result, not a sandbox error */
			emit_simple("stage", "stage", "running", false);
		} else if (!strcmp(op->name, "map_update")) {
			op_map_update(op);
		} else if (!strcmp(op->name, "map_delete")) {
			op_map_delete(op);
		} else if (!strcmp(op->name, "test_run")) {
			op_test_run(op);
		} else if (!strcmp(op->name, "map_dump")) {
			op_map_dump(op);
		} else if (!strcmp(op->name, "attach")) {
			op_attach(op);
		} else if (!strcmp(op->name, "traffic")) {
			op_traffic(op);
		} else if (!strcmp(op->name, "trigger")) {
			op_trigger(op);
		} else if (!strcmp(op->name, "trace")) {
			op_trace(op);
		} else if (!strcmp(op->name, "live")) {
			op_live(op);
		} else {
			emit_error("bad job: unknown operation '%.40s'", op->name);
			return false;
		}
	}
	if (nops == 0) {
		emit_error("bad job: no operations");
		return false;
	}
	return true;
}

/* /dev/null rather than a closed fd 1, which the next open() would reuse */
static void close_stdout(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0 && dup2(null, 1) == 1) {
		close(null);
		return;
	}
	if (null >= 0)
		close(null);
	close(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: bpflab-agent [--trace-instance NAME | --trace-global | --no-trace] "
			"[--no-pid-filter] [--netns] [--ready-line] [--warm-up OBJECT] [--warm-up-job JOB] "
			"< job\n");
}

/*
 * Work a microVM does once, before its snapshot, instead of in every run restored from it:
 * libbpf's feature probes (cached for the process), the kernel's parse of its own BTF
 * (on its first program load), bpf_printk's buffers, the JIT's first pack, and the pages
 * of the code that loads, test-runs and reads maps, and of libbpf's BTF parser. The object
 * (sandbox/vm/warmup.c) prints nothing for the frame it runs on; nothing of it is kept.
 */
static void warm_up(const char *path)
{
	struct bpf_object *o = bpf_object__open_file(path, NULL);
	if (!o)
		return;
	if (bpf_object__load(o) == 0) {
		struct bpf_program *p = bpf_object__next_program(o, NULL);
		struct bpf_map *m = bpf_object__next_map(o, NULL);
		unsigned char frame[64] = {0}, out[64];
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = sizeof(frame),
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		if (p)
			bpf_prog_test_run_opts(bpf_program__fd(p), &run);
		if (m) { /* as a map dump walks a map */
			unsigned int key = 0, next;
			unsigned long long value;
			while (bpf_map_get_next_key(bpf_map__fd(m), &key, &next) == 0 && next != key)
				key = next;
			bpf_map_lookup_elem(bpf_map__fd(m), &key, &value);
		}
	}
	bpf_object__close(o);
	/* as a run reads its trace lines: the warm-up printed none, so this finds none */
	int fd = open("/sys/kernel/tracing/trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		char buf[256];
		(void)!read(fd, buf, sizeof(buf));
		close(fd);
	}
	btf__free(btf__load_vmlinux_btf());
	sb_clear(&libbpf_log);
}

/* How this agent serves its job (its command line) */
static const char *instance;
static bool global, netns, no_trace;

/* Reads the job, runs it, reports it and cleans up: the exit status. */
static int serve_job(void)
{
	char msg[1024];
	if (read_job(msg, sizeof(msg))) {
		emit_error("%s", msg);
		emit_done(false);
		return 1;
	}
	if (netns && unshare(CLONE_NEWNET)) {
		char e[96];
		emit_error("cannot create a network namespace: %s", err_text(-errno, e, sizeof(e)));
		emit_done(false);
		return 1;
	}
	own_netns = netns; /* its loopback comes up with the first trigger (ensure_lo) */
	ensure_bpffs();
	struct sigaction sa = {.sa_handler = on_fatal_signal};
	/* a crash too: the instance must not outlive us (hosts that name it remove it too) */
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaction(fatal_signals[i], &sa, NULL);
	if (!no_trace && setup_trace(instance, global, msg, sizeof(msg))) {
		emit_error("%s", msg);
		emit_done(false);
		cleanup();
		return 1;
	}
	bool ok = run_ops();
	drain_trace(NULL);
	/* the verdict first: nothing below changes it, and the host need not wait for it */
	emit_done(ok);
	close_stdout(); /* the host reads EOF: nothing more comes */
	cleanup();
	return ok ? 0 : 1;
}

/*
 * A whole job (the file at path, in the wire format: sandbox/image.py writes it) served by
 * a child of this agent, its events dropped, before the real job. The child runs this very
 * code on the same pages, so a microVM's qemu (TCG) has translated the path of a typical
 * job (reading it, the load with its verifier log and watchdog thread, test runs, map
 * dumps, trace drains, events) once per VM, off the learner's run; the kernel's side of it
 * is warm in the snapshot. The child leaves nothing behind: its objects die with it, and
 * the trace is read empty after it.
 *
 * The real job goes first: when its bytes arrive (a VM that warms up while the program
 * compiles), the child is killed where it is; what it translated so far stays translated.
 */
static void warm_up_job(const char *path)
{
	int gone[2]; /* the child's end closes when it exits: the parent's end reads EOF */
	if (pipe2(gone, O_CLOEXEC))
		return;
	fflush(NULL);
	pid_t child = fork();
	if (child == 0) {
		close(gone[0]);
		int job = open(path, O_RDONLY | O_CLOEXEC);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (job < 0 || null < 0 || dup2(job, 0) != 0 || dup2(null, 1) != 1)
			_exit(2);
		in_len = 0; /* what the parent had read of its own input is not this job's */
		agent_pid = getpid(); /* its own trace fences */
		warm_up_job_path = NULL;
		_exit(serve_job());
	}
	close(gone[1]);
	if (child > 0) {
		struct pollfd wait_for[2] = {{.fd = 0, .events = POLLIN}, {.fd = gone[0], .events = POLLIN}};
		bool job_came = in_len > 0; /* it came with the warm-up line */
		while (!job_came) {
			int n = poll(wait_for, 2, -1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 || wait_for[1].revents)
				break; /* the child is done */
			if (wait_for[0].revents & POLLIN)
				job_came = true;
			else if (wait_for[0].revents)
				wait_for[0].fd = -1; /* a hung-up input brings no job: wait for the child */
		}
		if (job_came)
			kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	close(gone[0]);
	/* the real job must see no line of the warm-up: read the trace pipe empty */
	int fd = open("/sys/kernel/tracing/trace_pipe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		char buf[4096];
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

int main(int argc, char **argv)
{
	bool ready_line = false;
	char default_instance[64];

	/* A worker killed mid-run (kill -9) takes its agent along: its run is graded again
	 * elsewhere, and an orphan would spin on for nothing. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trace-instance") && i + 1 < argc) {
			instance = argv[++i];
		} else if (!strcmp(argv[i], "--trace-global")) {
			global = true;
		} else if (!strcmp(argv[i], "--no-trace")) {
			no_trace = true;
		} else if (!strcmp(argv[i], "--no-pid-filter")) {
			pid_filter = false;
		} else if (!strcmp(argv[i], "--netns")) {
			netns = true;
		} else if (!strcmp(argv[i], "--ready-line")) {
			ready_line = true;
		} else if (!strcmp(argv[i], "--warm-up") && i + 1 < argc) {
			warm_up_path = argv[++i];
		} else if (!strcmp(argv[i], "--warm-up-job") && i + 1 < argc) {
			warm_up_job_path = argv[++i];
		} else {
			usage();
			return 2;
		}
	}
	if (instance && (strchr(instance, '/') || !*instance || !strcmp(instance, "..") ||
			 !strcmp(instance, "."))) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	agent_pid = getpid();
	if (!instance) {
		snprintf(default_instance, sizeof(default_instance), "bpflab-agent-%d",
			 (int)agent_pid);
		instance = default_instance;
	}
	if (isatty(0)) {
		/* a serial console: no echo of the job back into the event stream, no line
		 * length limit, no CR/LF translation */
		struct termios t;
		if (tcgetattr(0, &t) == 0) {
			cfmakeraw(&t);
			tcsetattr(0, TCSANOW, &t);
		}
	}
	libbpf_set_print(libbpf_print);
	if (warm_up_path)
		warm_up(warm_up_path); /* in this process: libbpf caches its probes here */
	if (warm_up_job_path)
		warm_up_job(warm_up_job_path);
	if (ready_line) {
		/* not JSON, so event readers skip it: a host that must not send before the tty
		 * is raw (a cold-booted VM) waits for it */
		static const char ready[] = "bpflab-agent: ready\n";
		write_all(ready, sizeof(ready) - 1);
	}
	return serve_job();
}
