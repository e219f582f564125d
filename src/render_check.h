/* The monitoring-plugins status line of `connwatch check`:
 *   CONNWATCH WARNING - time_wait 812 (warning: 500) | 'established'=12;;;0;
 * 'time_wait'=812;500;;0; One line on stdout; the keyword and the perfdata labels stay English. */
#ifndef CW_RENDER_CHECK_H
#define CW_RENDER_CHECK_H

#include "check.h"

#include <stdio.h>

/* Writes the status line with perfdata for every state and the total; selection says what the
 * total counts (check_count_states), so that the words say it too. Returns 0 or -EIO. */
int render_check(FILE *out, const struct check_result *res, const size_t counts[THRESHOLD_KEYS],
                 const struct threshold_set *t, enum filter_listening selection);

/* Writes "CONNWATCH UNKNOWN - reason" (a bad option, threshold or unreadable sockets). */
int render_check_unknown(FILE *out, const char *reason);

/* -v: the long output after the status line: each diagnosis warning with its evidence and what
 * to do, as `summary` prints them, with '|' replaced (it would start more perfdata). Returns 0,
 * or -EIO when out fails. */
struct diag_report;
int render_check_long(FILE *out, const struct diag_report *report);

#endif
