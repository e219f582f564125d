#include "check.h"

#include <string.h>

void check_count_states(const struct stats *st, enum filter_listening selection,
                        size_t counts[THRESHOLD_KEYS])
{
	counts[THRESHOLD_TOTAL] = 0;
	for (unsigned int s = 0; s < TCP_ST_MAX; s++) {
		counts[s] =
		    (size_t)(st->by_proto_state[STATS_TCP][s] + st->by_proto_state[STATS_TCP6][s]);
		bool listener = s == TCP_ST_LISTEN;
		if (selection == FILTER_ALL || listener == (selection == FILTER_LISTENING))
			counts[THRESHOLD_TOTAL] += counts[s];
	}
}

size_t check_rule_hits(const struct diag_report *report, struct check_rule_hit *hits, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < report->count && n < max; i++) {
		const struct warning *w = &report->items[i];
		hits[n++] = (struct check_rule_hit){
		    .id = w->id,
		    .critical = w->severity == DIAG_CRITICAL,
		    .message = w->message,
		};
	}
	return n;
}

static void add_problem(struct check_result *res, const struct check_problem *p)
{
	if (p->status > res->status)
		res->status = p->status;
	if (res->problem_count >= CHECK_MAX_PROBLEMS) {
		res->problems_dropped++;
		return;
	}
	res->problems[res->problem_count++] = *p;
}

static int by_status_desc(const struct check_problem *a, const struct check_problem *b)
{
	return (int)b->status - (int)a->status;
}

void check_evaluate(const size_t counts[THRESHOLD_KEYS], const struct threshold_set *t,
                    const struct check_rule_hit *hits, size_t hit_count, struct check_result *res)
{
	memset(res, 0, sizeof(*res));
	res->status = CHECK_OK;
	for (unsigned int k = 0; k < THRESHOLD_KEYS; k++) {
		struct check_problem p = {.key = k, .value = counts[k]};
		if (t->has_crit[k] && threshold_range_alerts(&t->crit[k], (double)counts[k])) {
			p.status = CHECK_CRITICAL;
			p.range = t->crit[k].text;
		} else if (t->has_warn[k] &&
		           threshold_range_alerts(&t->warn[k], (double)counts[k])) {
			p.status = CHECK_WARNING;
			p.range = t->warn[k].text;
		} else {
			continue;
		}
		add_problem(res, &p);
	}
	for (size_t i = 0; i < hit_count; i++) {
		struct check_problem p = {
		    .status = hits[i].critical ? CHECK_CRITICAL : CHECK_WARNING,
		    .rule = &hits[i],
		};
		add_problem(res, &p);
	}
	/* Worst first, stable within a status (insertion sort: at most CHECK_MAX_PROBLEMS). */
	for (size_t i = 1; i < res->problem_count; i++) {
		struct check_problem cur = res->problems[i];
		size_t j = i;
		while (j > 0 && by_status_desc(&res->problems[j - 1], &cur) > 0) {
			res->problems[j] = res->problems[j - 1];
			j--;
		}
		res->problems[j] = cur;
	}
}

const char *check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_OK:
		return "OK";
	case CHECK_WARNING:
		return "WARNING";
	case CHECK_CRITICAL:
		return "CRITICAL";
	default:
		return "UNKNOWN";
	}
}
