/* The counting stage: the one place where every command counts and diagnoses.
 *
 *   source ──► tally (filter, owners, stats, kernel counters) ──► diagnose ──► renderer
 *
 * summary, import, check, serve, the live view and `explain STATE` all go through it; a command
 * file only wires a source to it and its result to a renderer. A source feeds it either
 *   - row by row, without keeping rows: tally_sink() gives a snapshot sink (snapshot.h) that
 *     counts each batch as it arrives, so memory does not grow with the number of sockets;
 *   - from kept rows: tally_rows() (views that also show the rows: the live view, summary -p);
 *   - or as ready counts: a source that counts by itself (a BPF iterator) adds them to
 *     `stats` through stats_add_counts(), stats_add_keyed() and stats_add_listener() (stats.h);
 *     the sink carries that `stats` pointer as `counts` when the tally accepts unfiltered counts.
 * Then tally_diagnose() runs the rules once per sample.
 *
 * No I/O except tally_read_counters() (the kernel counters of /proc). Free with tally_free(). */
#ifndef CW_TALLY_H
#define CW_TALLY_H

#include "cgroup_owner.h"
#include "diagnose.h"
#include "owner_groups.h"
#include "filter.h"
#include "kcounters.h"
#include "snapshot.h"
#include "source.h"
#include "stats.h"
#include "track.h"

#include <stdbool.h>
#include <stdint.h>

/* Optional owner lookup: pid owning a socket (0 = unknown), a process name and command line for
 * a pid (NULL = unknown; the renderer escapes them). enrich_tally_owners() fills it from a
 * procmap. */
struct tally_owner_hook {
	uint32_t (*pid_of)(void *ctx, const struct conn *c);
	const char *(*name_of)(void *ctx, uint32_t pid);
	const char *(*cmdline_of)(void *ctx, uint32_t pid); /* NULL = unknown; untrusted text */
	const struct cgroup_owner *(*cgroup_of)(void *ctx, uint32_t pid); /* unit, container */
	const struct cgroup_owner *(*conn_cgroup)(void *ctx, const struct conn *c); /* per row */
	void *ctx;
};

struct tally {
	struct stats stats;
	struct kcounters counters; /* kernel counters, or all unknown (imported text) */
	bool have_counters;
	struct diag_config config;
	struct diag_report report;
	struct tally_owner_hook owners; /* zeroed: no owners */
	/* Rows that do not pass are not counted (borrowed; NULL = every row counts). */
	const struct filter *filter;
	/* A listener the filter hides is still noted for listen_overflow and syn_flood's
	 * "listening" (summary, live view); check and serve leave hidden rows out entirely. */
	bool note_hidden_listeners;
	const char *source_name;     /* "netlink", "proc", "text", ... (static) */
	size_t skipped;              /* input records skipped by the source */
	double time_wait_rate;       /* new TIME_WAIT per second (tally_diagnose), or -1 */
	bool always_close_wait_ages; /* serve: the oldest CLOSE_WAIT age is a metric of its own */
	struct snapshot_sink sink, age_sink; /* what tally_sink() and tally_age_sink() return */
	/* --netns: the rules run once per namespace over its own rows (a SYN flood in one
	 * container is reported for it, not averaged into the host). Set split_netns before
	 * counting; rows are then also counted into per_netns[conn.netns], and tally_diagnose's
	 * report is the union of the namespaces' warnings, each naming its namespace (labels from
	 * `netns`, taken from the snapshot by tally_note_source). */
	bool split_netns;
	struct tally *per_netns; /* owned, per_netns_count of them */
	size_t per_netns_count;
	const struct netns_set *netns;
};

/* kc may be NULL (no kernel counters: imported text, or read later with
 * tally_read_counters()). The stats options (port range, ages, queue limits) come from cfg and
 * kc. Free with tally_free(). */
void tally_init(struct tally *t, const struct diag_config *cfg, const struct kcounters *kc);
void tally_free(struct tally *t);

/* Forgets the counts of the last sample, keeps the memory, thresholds, filter and hook (the
 * live view and serve count again at every refresh). */
void tally_reset(struct tally *t);

/* Reads the kernel counters (proc_root NULL = /proc). An unreadable counter file leaves them
 * unknown: the counts and the rules that need no counters still stand. Returns 0, or a negative
 * errno with err set (the tally is usable either way). */
int tally_read_counters(struct tally *t, const char *proc_root, struct cw_error *err);

/* The source request a tally needs: what the filter wants, plus TCP listeners (they are not
 * counted unless the filter shows them, but listen_overflow and syn_flood read them). */
void tally_request(const struct filter *f, struct source_request *req);

/* Counts one row (through the filter and the owner hook). state_age_ms: time in the current
 * state when a tracker knows it, else STATS_AGE_UNKNOWN. */
void tally_row(struct tally *t, const struct conn *c, uint32_t state_age_ms);

/* Counts the kept rows of snap. marks (may be NULL) are track_marks() for snap taken at now_ms:
 * they give each row's time in state. Also takes the snapshot's source name and skipped count. */
void tally_rows(struct tally *t, const struct snapshot *snap, const struct track_mark *marks,
                uint64_t now_ms);

/* A sink that counts rows as a source produces them (no row is kept). Set it on the snapshot
 * with snapshot_set_sink() before the fill and call tally_note_source() after it. Valid as long
 * as t. */
const struct snapshot_sink *tally_sink(struct tally *t);

/* True when the age of CLOSE_WAIT sockets can change a verdict: a local port holds at least as
 * many as the close_wait rule's smaller threshold (or always_close_wait_ages is set). */
bool tally_needs_close_wait_ages(const struct tally *t);

/* A sink for the rows of a CLOSE_WAIT-only dump with tcp_info (collector_take_close_wait_ages):
 * each row that passes the filter adds its age to the counts made before, nothing more. Valid
 * as long as t. */
const struct snapshot_sink *tally_age_sink(struct tally *t);

/* Takes the source name and skipped count of a snapshot that was streamed into the tally. */
void tally_note_source(struct tally *t, const struct snapshot *snap);

/* Runs the rules on what was counted. prev: the previous sample of a long-running view (NULL in
 * one shot), taken with diag_sample_take() at now_s (same clock). Sets time_wait_rate. Returns 0
 * or -ENOMEM (also when counting ran out of memory). */
int tally_diagnose(struct tally *t, const struct diag_sample *prev, double now_s);

/* The per-process counts folded per unit or per container (summary -p), the busiest top kept
 * and the rest summed as other. Empty without owners. Returns 0 or -ENOMEM; free with
 * owner_groups_free(). */
int tally_owner_groups(const struct tally *t, enum owner_group_kind kind, size_t top,
                       struct owner_groups *out);

/* For diag_input.owner_names: the unit and container of a pid through the tally's owner hook
 * (ctx is the tally). */
void tally_owner_names(void *ctx, uint32_t pid, char *unit, char *container);

/* Time in state for the rules: exact for rows that changed state while watched; a lower bound
 * for rows already there at the first sample, where the kernel's idle time (when asked for) may
 * know better. STATS_AGE_UNKNOWN when nothing is known. */
uint32_t tally_state_age(const struct conn *c, const struct track_mark *m, uint64_t now_ms);

#endif
