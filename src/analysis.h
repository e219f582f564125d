/* The summary pipeline (summary.h) for views that read the kernel themselves and run again and
 * again: reads the kernel counters, counts a snapshot, and diagnoses against the previous sample
 * so that rates and growth are known. Used by serve and check. */
#ifndef CW_ANALYSIS_H
#define CW_ANALYSIS_H

#include "diagnose.h"
#include "error.h"
#include "snapshot.h"
#include "summary.h"

#include <stdbool.h>

struct analysis {
	struct summary sum;    /* counts, kernel counters, thresholds, warnings */
	double time_wait_rate; /* new TIME_WAIT per second since prev, or -1 when unknown */
};

/* Where the kernel counters come from: this machine's /proc (or a capture's directory), or
 * nowhere (a recording made elsewhere: its counters would describe the wrong machine). */
struct analysis_counters {
	bool read;
	const char *proc_root; /* NULL = /proc */
};

/* Reads the kernel counters (an unreadable counter file leaves them unknown: the counts and
 * the rules that need no counters still stand), counts every row of snap and runs the
 * diagnosis against prev (NULL in one shot) at now_s (prev's clock). Free with analysis_free()
 * in every case. Returns 0, or -ENOMEM with err set. */
int analysis_run(struct analysis *a, const struct snapshot *snap,
                 const struct analysis_counters *from, const struct diag_config *cfg,
                 const struct diag_sample *prev, double now_s, struct cw_error *err);

void analysis_free(struct analysis *a);

#endif
