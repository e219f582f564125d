#include "source.h"

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
