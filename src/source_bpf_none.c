/* Built without libbpf (-Dbpf=disabled, or its packages missing): the fast path is absent. */
#include "source_bpf.h"

#include "i18n.h"

#include <errno.h>

bool bpf_source_built(void)
{
	return false;
}

int bpf_source_open(struct bpf_source **out, struct cw_error *err)
{
	*out = NULL;
	return cw_error_set(err, -EOPNOTSUPP, "%s",
	                    _("this connwatch was built without the BPF fast path"));
}

void bpf_source_close(struct bpf_source *b)
{
	(void)b;
}

int bpf_source_fill(struct bpf_source *b, const struct source_request *req, struct snapshot *snap,
                    struct snapshot *close_wait, struct cw_error *err)
{
	(void)b;
	(void)close_wait;
	(void)req;
	(void)snap;
	return cw_error_set(err, -EOPNOTSUPP, "%s",
	                    _("this connwatch was built without the BPF fast path"));
}
