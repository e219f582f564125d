#include "enrich.h"

#include "i18n.h"
#include "netns.h"
#include "util/pidnames.h"

#include <errno.h>
#include <stdlib.h>

int enrich_owners(struct procmap *pm, const struct snapshot *snap, struct procmap_info *info,
                  struct cw_error *err)
{
	return enrich_owners_from(pm, pm, snap, info, err);
}

int enrich_owners_from(struct procmap *pm, const struct procmap *known, const struct snapshot *snap,
                       struct procmap_info *info, struct cw_error *err)
{
	uint32_t *inodes = malloc((snap->count ? snap->count : 1) * sizeof(*inodes));
	if (!inodes)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	for (size_t i = 0; i < snap->count; i++)
		inodes[i] = snap->conns[i].inode;
	/* --netns NAME: the owners are among the processes of that namespace. */
	pm->prefer_netns =
	    snap->netns && snap->netns->count == 1 ? snap->netns->items[0].link : NULL;
	int r = procmap_resolve_from(pm, known, inodes, snap->count, info, err);
	free(inodes);
	return r;
}

static uint32_t pid_of(void *ctx, const struct conn *c)
{
	const struct procmap_owner *o = procmap_owner_of(ctx, c->inode);
	return o ? (uint32_t)o->pid : 0;
}

static const char *name_of(void *ctx, uint32_t pid)
{
	const struct procmap_owner *o = procmap_owner_by_pid(ctx, (int32_t)pid);
	return o ? o->name : NULL;
}

static const char *cmdline_of(void *ctx, uint32_t pid)
{
	const struct procmap_owner *o = procmap_owner_by_pid(ctx, (int32_t)pid);
	return o ? o->cmdline : NULL;
}

static const struct cgroup_owner *cgroup_of(void *ctx, uint32_t pid)
{
	const struct procmap_owner *o = procmap_owner_by_pid(ctx, (int32_t)pid);
	return o ? &o->cgroup : NULL;
}

static const struct cgroup_owner *conn_cgroup(void *ctx, const struct conn *c)
{
	const struct procmap_owner *o = procmap_owner_of(ctx, c->inode);
	return o ? &o->cgroup : NULL;
}

void enrich_tally_owners(struct tally_owner_hook *hook, const struct procmap *pm)
{
	/* The hook's context is not const because other providers may cache; procmap's
	 * lookups only read. */
	*hook = (struct tally_owner_hook){.pid_of = pid_of,
	                                  .name_of = name_of,
	                                  .cmdline_of = cmdline_of,
	                                  .cgroup_of = cgroup_of,
	                                  .conn_cgroup = conn_cgroup,
	                                  .ctx = (void *)pm};
}

static uint32_t text_pid_of(void *ctx, const struct conn *c)
{
	const struct snapshot *snap = ctx;
	const struct pidnames_entry *e = snap->owners ? pidnames_get(snap->owners, c->owner) : NULL;
	return e ? (uint32_t)e->pid : 0;
}

static const char *text_name_of(void *ctx, uint32_t pid)
{
	const struct snapshot *snap = ctx;
	return snap->owners && pid <= INT32_MAX ? pidnames_name(snap->owners, (int32_t)pid) : NULL;
}

void enrich_tally_text_owners(struct tally_owner_hook *hook, const struct snapshot *snap)
{
	*hook = (struct tally_owner_hook){
	    .pid_of = text_pid_of, .name_of = text_name_of, .ctx = (void *)snap};
}
