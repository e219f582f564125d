/* The summary pipeline shared by `summary` and `import` (and usable by other views): count a
 * snapshot through a filter, read nothing itself, diagnose, and hand the result to a renderer.
 * Owner processes come in through a hook (procmap fills it when available). */
#ifndef CW_SUMMARY_H
#define CW_SUMMARY_H

#include "cgroup_owner.h"
#include "diagnose.h"
#include "filter.h"
#include "kcounters.h"
#include "snapshot.h"
#include "stats.h"

#include <stdbool.h>

/* Optional owner lookup: pid owning a socket (0 = unknown), a process name and command line for
 * a pid (NULL = unknown; the renderer escapes them). enrich_summary_owners() fills it from a
 * procmap. */
struct summary_owner_hook {
	uint32_t (*pid_of)(void *ctx, const struct conn *c);
	const char *(*name_of)(void *ctx, uint32_t pid);
	const char *(*cmdline_of)(void *ctx, uint32_t pid); /* NULL = unknown; untrusted text */
	const struct cgroup_owner *(*cgroup_of)(void *ctx, uint32_t pid); /* unit, container */
	void *ctx;
};

struct summary {
	struct stats stats;
	struct kcounters counters; /* kernel counters, or all unknown (imported text) */
	bool have_counters;
	struct diag_config config;
	struct diag_report report;
	struct summary_owner_hook owners; /* zeroed: no owners */
	const char *source_name;          /* "netlink", "proc", "text", ... */
	size_t skipped;                   /* input records skipped by the source */
	bool diagnosed;                   /* summary_diagnose_netns already ran the rules */
};

/* kc may be NULL (no kernel counters: imported text). Free with summary_free(). */
void summary_init(struct summary *sum, const struct diag_config *cfg, const struct kcounters *kc);
void summary_free(struct summary *sum);

/* The source request a summary needs: what the filter wants, plus TCP listeners (they are not
 * counted unless the filter shows them, but listen_overflow and syn_flood read them). */
void summary_request(const struct filter *f, struct source_request *req);

/* Counts the rows of snap that pass f (NULL = all); listeners that do not pass are still noted
 * for the rules. */
void summary_count(struct summary *sum, const struct snapshot *snap, const struct filter *f);

/* For diag_input.owner_names: the unit and container of a pid through sum->owners (ctx is the
 * summary). */
void summary_owner_names(void *ctx, uint32_t pid, char *unit, char *container);

/* With rows read from other network namespaces (snap->netns set), runs the rules once per
 * namespace over its own rows, so that a SYN flood in one container is reported for it and not
 * averaged into the host's counts; each warning names its namespace. Kernel counters are ours:
 * they feed only our own namespace's run. Call before the snapshot is freed; summary_diagnose
 * then does nothing. Without snap->netns it does nothing. Returns 0 or -ENOMEM. */
int summary_diagnose_netns(struct summary *sum, const struct snapshot *snap,
                           const struct filter *f);

/* Runs the rules (one shot: no previous sample). Returns 0 or -ENOMEM. */
int summary_diagnose(struct summary *sum);

#endif
