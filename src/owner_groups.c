#include "owner_groups.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int by_key(const void *a, const void *b)
{
	const struct owner_group *x = a, *y = b;
	return strcmp(x->key, y->key);
}

static int by_count(const void *a, const void *b)
{
	const struct owner_group *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return by_key(a, b);
}

int owner_groups_build(struct owner_groups *g, enum owner_group_kind kind,
                       const struct stats_entry *pids, size_t n, owner_groups_lookup lookup,
                       void *ctx, size_t top)
{
	memset(g, 0, sizeof(*g));
	struct owner_group *all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cgroup_owner *cg = lookup(ctx, pids[i].key.id);
		if (!cg || !(kind == OWNER_GROUP_UNIT ? cg->unit[0] : cg->id[0]))
			continue;
		all[used++] =
		    (struct owner_group){.cg = cg,
		                         .key = kind == OWNER_GROUP_UNIT ? cg->unit : cg->id,
		                         .count = pids[i].count,
		                         .processes = 1};
	}
	/* Same key next to each other, then folded into the first of the run. */
	qsort(all, used, sizeof(*all), by_key);
	size_t groups = 0;
	for (size_t i = 0; i < used; i++) {
		if (groups && !strcmp(all[groups - 1].key, all[i].key)) {
			all[groups - 1].count += all[i].count;
			all[groups - 1].processes++;
		} else {
			all[groups++] = all[i];
		}
	}
	qsort(all, groups, sizeof(*all), by_count);
	g->items = all;
	g->count = groups < top ? groups : top;
	for (size_t i = g->count; i < groups; i++) {
		g->other_groups++;
		g->other_count += all[i].count;
		g->other_processes += all[i].processes;
	}
	return 0;
}

void owner_groups_free(struct owner_groups *g)
{
	free(g->items);
	memset(g, 0, sizeof(*g));
}
