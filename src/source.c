#include "source.h"

#include "i18n.h"

#include <errno.h>

bool source_error_is_refusal(int code)
{
	/* What socket(), bind() or the kernel answer where sock_diag is not allowed or not built:
	 * seccomp or LSM denial, a missing inet_diag module, a netlink-less sandbox. */
	switch (-code) {
	case EPERM:
	case EACCES:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case ENOENT:
	case EOPNOTSUPP:
		return true;
	default:
		return false;
	}
}

bool source_error_is_transient(int code)
{
	switch (-code) {
	case ENOBUFS:
	case EINTR:
	case EAGAIN:
	case EBUSY:
		return true;
	default:
		return false;
	}
}

int source_check_cancel(const atomic_bool *cancel, struct cw_error *err)
{
	if (cancel && atomic_load(cancel))
		return cw_error_set(err, -ECANCELED, "%s", _("the refresh was cancelled"));
	return 0;
}
