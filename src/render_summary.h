/* `connwatch summary` and `import` output: the text report and the JSON document
 * (docs/json.md). The warning writers are shared with other views (live, serve). */
#ifndef CW_RENDER_SUMMARY_H
#define CW_RENDER_SUMMARY_H

#include "diagnose.h"
#include "tally.h"
#include "util/jsonw.h"

#include <stdio.h>

#define SUMMARY_TOP 10 /* rows in each top list */

/* The text report. Returns 0, or -EIO when out fails. */
int render_summary_text(FILE *out, const struct tally *sum);

/* The JSON document and a newline. Returns 0, or -EIO when out fails. */
int render_summary_json(FILE *out, const struct tally *sum);

/* One warning as text: "[critical] syn_flood: message", the evidence, the remedy. */
void render_warning_text(FILE *out, const struct warning *w);

/* One warning as a JSON object {"id", "severity", "message", "evidence", "remedy"}. */
void render_warning_json(struct jsonw *w, const struct warning *warn);

/* The JSON key for a state index of struct stats: netstat spelling; UDP unconnected "UNCONN". */
const char *render_state_key(enum stats_proto proto, unsigned int state);

#endif
