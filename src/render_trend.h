/* The trend lines of the live view's header (trend.h): the same series as text, in the ncurses
 * header, and in JSON. */
#ifndef CW_RENDER_TREND_H
#define CW_RENDER_TREND_H

#include "trend.h"
#include "util/jsonw.h"

#include <stdbool.h>
#include <stdio.h>

/* "TIME_WAIT      1234  +120/min  ▁▂▄█" for one series; cells: at most that many sparkline cells.
 * Returns the length. */
size_t render_trend_line(char *buf, size_t len, const struct trend *t, enum trend_series s,
                         size_t cells, bool utf8);

/* One line per series (the --plain header). */
void render_trend_text(FILE *out, const struct trend *t, bool utf8);

/* "trend": {"interval_s": .., "time_wait": {"values": [..], "per_minute": x|null}, ...} */
void render_trend_json(struct jsonw *w, const struct trend *t, double interval_s);

#endif
