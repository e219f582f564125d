#include "enrich.h"

#include "i18n.h"

#include <errno.h>
#include <stdlib.h>

int enrich_owners(struct procmap *pm, const struct snapshot *snap, struct procmap_info *info,
		  struct cw_error *err)
{
	uint32_t *inodes = malloc((snap->count ? snap->count : 1) * sizeof(*inodes));
	if (!inodes)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	for (size_t i = 0; i < snap->count; i++)
		inodes[i] = snap->conns[i].inode;
	int r = procmap_resolve(pm, inodes, snap->count, info, err);
	free(inodes);
	return r;
}
