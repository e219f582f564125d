#include "bpf_load.h"

#include "i18n.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* The kernel hands out at most its seq buffer (one page here, up to 32 KiB) per read(). */
#define READ_BYTES 32768

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

void bpf_load_quiet(void)
{
	libbpf_set_print(quiet);
}

int bpf_load_error(struct cw_error *err, int e)
{
	if (!e)
		e = EINVAL;
	if (e == EPERM || e == EACCES)
		return cw_error_set(err, -e, "%s",
		                    _("loading the BPF socket iterator needs CAP_BPF and "
		                      "CAP_PERFMON"));
	return cw_error_set(err, -e, _("cannot load the BPF socket iterator: %s"), strerror(e));
}

int bpf_iter_read(int link_fd, size_t rec_size, bpf_iter_take_fn take, void *arg, size_t *truncated,
                  struct cw_error *err)
{
	*truncated = 0;
	int fd = bpf_iter_create(link_fd);
	if (fd < 0)
		return cw_error_set(err, -errno, _("cannot run the BPF socket iterator: %s"),
		                    strerror(errno));
	_Alignas(uint64_t) unsigned char buf[READ_BYTES];
	int ret = 0;
	size_t have = 0; /* bytes of a record split between two reads */
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret =
			    cw_error_set(err, -errno, _("cannot read the BPF socket iterator: %s"),
			                 strerror(errno));
			break;
		}
		if (n == 0) {
			*truncated = have;
			break;
		}
		size_t bytes = have + (size_t)n;
		size_t whole = bytes / rec_size;
		int v = whole ? take(arg, buf, whole) : 0;
		if (v != 0) {
			ret = v < 0 ? v : 0;
			break;
		}
		have = bytes - whole * rec_size;
		if (have)
			memmove(buf, buf + whole * rec_size, have);
	}
	close(fd);
	return ret;
}
