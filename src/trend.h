/* Trends for the live view's header: the last TREND_CELLS refreshes' counts of the states that
 * tell of trouble (TIME_WAIT, SYN_RECV, CLOSE_WAIT) and of ESTABLISHED, drawn as sparklines,
 * and their change per minute. Pure: the caller pushes counts with the time they were taken. */
#ifndef CW_TREND_H
#define CW_TREND_H

#include "states.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TREND_CELLS 60 /* two minutes at the default interval */

enum trend_series {
	TREND_TIME_WAIT,
	TREND_SYN_RECV,
	TREND_CLOSE_WAIT,
	TREND_ESTABLISHED,
	TREND_COUNT,
};

struct trend {
	uint64_t v[TREND_COUNT][TREND_CELLS]; /* ring, oldest at head when full */
	int64_t t_ms[TREND_CELLS];
	size_t count, head;
};

void trend_init(struct trend *t);

/* Adds one refresh: by_state counts TCP rows per state (SYN_RECV includes request sockets). */
void trend_push(struct trend *t, int64_t t_ms, const uint64_t by_state[TCP_ST_MAX]);

/* The series oldest first into out (TREND_CELLS long); returns how many. */
size_t trend_values(const struct trend *t, enum trend_series s, uint64_t *out);

/* Change per minute from the oldest to the newest refresh kept; false with fewer than two
 * refreshes or no time between them. */
bool trend_per_minute(const struct trend *t, enum trend_series s, double *out);

/* "TIME_WAIT" (netstat spelling, for the header) and "time_wait" (JSON key). */
const char *trend_label(enum trend_series s);
const char *trend_key(enum trend_series s);

/* Draws n values as a sparkline of n cells, scaled from the smallest to the largest value of
 * this series (a flat series is drawn on the baseline): Unicode blocks ▁..█ when utf8, else
 * the ASCII ramp "_.-:=+*#". Always NUL-terminates when len > 0; returns the bytes written
 * (cells that do not fit are left out, from the oldest). */
size_t sparkline(char *buf, size_t len, const uint64_t *v, size_t n, bool utf8);

/* Whether the terminal's locale speaks UTF-8 (LC_CTYPE's codeset); call after setlocale. */
bool trend_locale_utf8(void);

#endif
