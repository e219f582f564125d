/* The verdict of `connwatch check`: per-state counts against -w/-c thresholds, plus the
 * diagnosis warnings mapped by severity, in monitoring-plugins terms. Pure. */
#ifndef CW_CHECK_H
#define CW_CHECK_H

#include "diagnose.h"
#include "filter.h"
#include "stats.h"
#include "threshold.h"

#include <stdbool.h>
#include <stddef.h>

/* monitoring-plugins return codes; the status line keywords stay English. */
enum check_status {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3,
};

/* A diagnosis warning as check sees it (borrowed strings). */
struct check_rule_hit {
	const char *id;      /* stable rule id, e.g. "syn_flood" */
	bool critical;       /* severity critical (else warning) */
	const char *message; /* one line, already translated */
};

#define CHECK_MAX_PROBLEMS 24

struct check_problem {
	enum check_status status;
	unsigned int key;                  /* threshold key, when rule is NULL */
	size_t value;                      /* the count, when rule is NULL */
	const char *range;                 /* the range it broke, when rule is NULL */
	const struct check_rule_hit *rule; /* the diagnosis warning, or NULL */
};

struct check_result {
	enum check_status status;
	struct check_problem problems[CHECK_MAX_PROBLEMS]; /* worst first */
	size_t problem_count;
	size_t problems_dropped;
};

/* Fills counts[key] for every threshold key: TCP sockets (tcp and tcp6 together) per state, and
 * at THRESHOLD_TOTAL those the command line selects, as every command counts its total
 * (docs/json.md): connections by default (every state but LISTEN), listeners with -l, both with
 * -a. LISTEN has its own count whatever the selection. */
void check_count_states(const struct stats *st, enum filter_listening selection,
                        size_t counts[THRESHOLD_KEYS]);

/* The diagnosis warnings as check sees them (pointing into report). Returns how many, at most
 * max. */
size_t check_rule_hits(const struct diag_report *report, struct check_rule_hit *hits, size_t max);

/* counts[key] for every threshold key (TCP states by kernel number, THRESHOLD_TOTAL). */
void check_evaluate(const size_t counts[THRESHOLD_KEYS], const struct threshold_set *t,
                    const struct check_rule_hit *hits, size_t hit_count, struct check_result *res);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *check_status_name(enum check_status s);

#endif
