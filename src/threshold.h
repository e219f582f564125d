/* monitoring-plugins thresholds for `connwatch check`: ranges in the plugin guidelines' syntax
 * ("500", "10:", "~:10", "10:20", "@10:20") and the per-state table built from -w/-c STATE=RANGE.
 * Pure: no I/O, so every corner of the syntax is unit-tested. */
#ifndef CW_THRESHOLD_H
#define CW_THRESHOLD_H

#include "error.h"
#include "states.h"

#include <stdbool.h>

#define THRESHOLD_TEXT_MAX 48

/* A range [start, end]. By default a value outside it alerts; with `inside` ("@") a value inside
 * it alerts. start may be -INFINITY ("~"), end may be INFINITY (nothing after ':'). */
struct threshold_range {
	double start, end;
	bool inside;
	char text[THRESHOLD_TEXT_MAX]; /* the range as written, for the perfdata warn/crit fields */
};

/* Parses a range. Returns 0, or -EINVAL with err saying what is wrong with text. */
int threshold_range_parse(const char *text, struct threshold_range *out, struct cw_error *err);

/* True when value alerts against the range. */
bool threshold_range_alerts(const struct threshold_range *r, double value);

/* Keys of the per-state table: every TCP state by its kernel number, plus the total. */
#define THRESHOLD_TOTAL TCP_ST_MAX
#define THRESHOLD_KEYS  (TCP_ST_MAX + 1)

struct threshold_set {
	struct threshold_range warn[THRESHOLD_KEYS], crit[THRESHOLD_KEYS];
	bool has_warn[THRESHOLD_KEYS], has_crit[THRESHOLD_KEYS];
};

/* Parses "STATE=RANGE" (STATE in netstat or ss spelling, any case, or "total") into the warning
 * (critical = false) or critical table; a later threshold for the same state replaces an
 * earlier one. Returns 0 or -EINVAL with err naming the problem. */
int threshold_set_add(struct threshold_set *set, const char *text, bool critical,
                      struct cw_error *err);

/* The perfdata label of a key: the lower-case netstat spelling ("time_wait") or "total".
 * Static storage. */
const char *threshold_key_label(unsigned int key);

#endif
