/* The Prometheus text exposition format (version 0.0.4) of `connwatch serve` and --textfile.
 * Every metric is documented in docs/metrics.md; a test checks the two agree. */
#ifndef CW_RENDER_PROM_H
#define CW_RENDER_PROM_H

#include "snapshot.h"

#include <stdio.h>

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* What one scrape shows. Everything is borrowed. */
struct prom_model {
	const struct snapshot *snap; /* every socket (listeners included), unfiltered by state */
	unsigned int top;            /* per-address and per-port series: only the busiest N */
	double scrape_seconds;       /* time taken to read and analyse the snapshot */
};

/* Writes the metrics. Returns 0, or -EIO when out fails. */
int render_prom(FILE *out, const struct prom_model *m);

/* Writes value as a Prometheus label value: backslash, double quote and newline escaped. */
void render_prom_label_value(FILE *out, const char *value);

#endif
