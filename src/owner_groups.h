/* Counts per systemd unit and per container (summary -p): the per-process counts of a summary
 * folded by each process's unit or container, busiest first, the top N kept and the rest summed
 * as "other". Pure: the pids' units come through a lookup function. */
#ifndef CW_OWNER_GROUPS_H
#define CW_OWNER_GROUPS_H

#include "cgroup_owner.h"
#include "stats.h"

#include <stddef.h>
#include <stdint.h>

enum owner_group_kind {
	OWNER_GROUP_UNIT,      /* key: the unit ("nginx.service") */
	OWNER_GROUP_CONTAINER, /* key: the container id */
};

struct owner_group {
	const struct cgroup_owner *cg; /* borrowed from the lookup: one of the group's processes */
	const char *key;               /* its unit, or its container id (in cg) */
	uint64_t count;                /* connections of its processes */
	uint32_t processes;
};

struct owner_groups {
	struct owner_group *items; /* owned; busiest first (ties: lower key first) */
	size_t count;              /* at most the top asked for */
	size_t other_groups;       /* groups past the top */
	uint64_t other_count;      /* their connections */
	uint32_t other_processes;
};

typedef const struct cgroup_owner *(*owner_groups_lookup)(void *ctx, uint32_t pid);

/* Folds pids[0..n) (key.id = pid, count = its connections) by kind through lookup; processes
 * without a unit (or not in a container) are left out. Returns 0 or -ENOMEM. Free with
 * owner_groups_free(); the groups borrow from what lookup returned. */
int owner_groups_build(struct owner_groups *g, enum owner_group_kind kind,
                       const struct stats_entry *pids, size_t n, owner_groups_lookup lookup,
                       void *ctx, size_t top);

void owner_groups_free(struct owner_groups *g);

#endif
