/* The Prometheus text exposition format (version 0.0.4) of `connwatch serve` and --textfile.
 * Every metric is documented in docs/metrics.md; a test checks that the two agree. */
#ifndef CW_RENDER_PROM_H
#define CW_RENDER_PROM_H

#include "tally.h"

#include <stdio.h>

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_TOP_DEFAULT  10
#define PROM_TOP_MAX      100

/* What one scrape shows. Everything is borrowed. */
struct prom_model {
	const struct tally *tally;  /* counts, kernel counters, diagnosis, source */
	unsigned int top;           /* per-address and per-port series: only the busiest N */
	double scrape_seconds;      /* time taken to read and count the sockets */
	unsigned long renders;      /* serve: times the metrics were computed, this one too */
	double time_wait_new_total; /* new TIME_WAIT counted since serve started; < 0: none */
};

/* Writes the metrics. Every family has its HELP and TYPE lines even when it has no sample now,
 * so the set of names is the same on every scrape. Returns 0, or -EIO when out fails. */
int render_prom(FILE *out, const struct prom_model *m);

/* Writes value as a Prometheus label value: backslash, double quote and newline escaped. */
void render_prom_label_value(FILE *out, const char *value);

#endif
