#include "bpf_load.h"

#include "i18n.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

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
