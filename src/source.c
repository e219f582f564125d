#include "source.h"

#include <errno.h>
#include <string.h>

const struct source_ops *source_by_name(const char *name)
{
	static const struct source_ops *const all[] = {&source_netlink, &source_proc,
	                                               &source_replay, &source_text};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

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
