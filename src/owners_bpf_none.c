/* Built without libbpf: owners come from the /proc walk only. */
#include "owners_bpf.h"

#include "i18n.h"

#include <errno.h>

int owners_bpf_open(struct owners_bpf **out, struct cw_error *err)
{
	*out = NULL;
	return cw_error_set(err, -EOPNOTSUPP, "%s",
	                    _("this connwatch was built without the BPF fast path"));
}

void owners_bpf_close(struct owners_bpf *b)
{
	(void)b;
}

int owners_bpf_start(struct owners_bpf *b)
{
	(void)b;
	return 0;
}

struct procmap_lister owners_bpf_lister(struct owners_bpf *b)
{
	(void)b;
	return (struct procmap_lister){0};
}
