/* The analysing half of the pipeline for one snapshot: kernel counters -> stats -> diagnosis.
 * Shared by the views that need all three at once (serve, check). */
#ifndef CW_ANALYSIS_H
#define CW_ANALYSIS_H

#include "diagnose.h"
#include "error.h"
#include "kcounters.h"
#include "snapshot.h"
#include "stats.h"

struct analysis {
	struct kcounters counters;
	struct stats stats;
	struct diag_report report;
	double time_wait_rate; /* new TIME_WAIT per second since prev, or -1 when unknown */
};

/* Reads the kernel counters (from proc_root, NULL = /proc), counts the snapshot and runs the
 * diagnosis against prev (NULL in one shot) at now_s. Free with analysis_free() in every case.
 * Returns 0, or a negative errno with err set (out of memory, an unreadable counter file). */
int analysis_run(struct analysis *a, const struct snapshot *snap, const char *proc_root,
		 const struct diag_config *cfg, const struct diag_sample *prev, double now_s,
		 struct cw_error *err);

void analysis_free(struct analysis *a);

#endif
