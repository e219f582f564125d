#include "trend.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *label, *key;
} series_names[TREND_COUNT] = {
    [TREND_TIME_WAIT] = {"TIME_WAIT", "time_wait"},
    [TREND_SYN_RECV] = {"SYN_RECV", "syn_recv"},
    [TREND_CLOSE_WAIT] = {"CLOSE_WAIT", "close_wait"},
    [TREND_ESTABLISHED] = {"ESTABLISHED", "established"},
};

const char *trend_label(enum trend_series s)
{
	return (unsigned)s < TREND_COUNT ? series_names[s].label : "?";
}

const char *trend_key(enum trend_series s)
{
	return (unsigned)s < TREND_COUNT ? series_names[s].key : "?";
}

void trend_init(struct trend *t)
{
	memset(t, 0, sizeof(*t));
}

void trend_push(struct trend *t, int64_t t_ms, const uint64_t by_state[TCP_ST_MAX])
{
	size_t at = (t->head + t->count) % TREND_CELLS;
	if (t->count == TREND_CELLS)
		t->head = (t->head + 1) % TREND_CELLS;
	else
		t->count++;
	t->t_ms[at] = t_ms;
	t->v[TREND_TIME_WAIT][at] = by_state[TCP_ST_TIME_WAIT];
	t->v[TREND_SYN_RECV][at] = by_state[TCP_ST_SYN_RECV] + by_state[TCP_ST_NEW_SYN_RECV];
	t->v[TREND_CLOSE_WAIT][at] = by_state[TCP_ST_CLOSE_WAIT];
	t->v[TREND_ESTABLISHED][at] = by_state[TCP_ST_ESTABLISHED];
}

size_t trend_values(const struct trend *t, enum trend_series s, uint64_t *out)
{
	for (size_t i = 0; i < t->count; i++)
		out[i] = t->v[s][(t->head + i) % TREND_CELLS];
	return t->count;
}

bool trend_per_minute(const struct trend *t, enum trend_series s, double *out)
{
	if (t->count < 2)
		return false;
	size_t first = t->head, last = (t->head + t->count - 1) % TREND_CELLS;
	int64_t dt = t->t_ms[last] - t->t_ms[first];
	if (dt <= 0)
		return false;
	*out = ((double)t->v[s][last] - (double)t->v[s][first]) * 60000.0 / (double)dt;
	return true;
}

size_t sparkline(char *buf, size_t len, const uint64_t *v, size_t n, bool utf8)
{
	static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583", "\u2584",
	                                      "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[8] = {'_', '.', '-', ':', '=', '+', '*', '#'};
	if (len == 0)
		return 0;
	size_t cell = utf8 ? 3 : 1;
	size_t fit = (len - 1) / cell;
	size_t from = n > fit ? n - fit : 0; /* keep the newest */
	uint64_t lo = UINT64_MAX, hi = 0;
	for (size_t i = from; i < n; i++) {
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	size_t used = 0;
	for (size_t i = from; i < n; i++) {
		unsigned level =
		    hi > lo ? (unsigned)((double)(v[i] - lo) * 7.0 / (double)(hi - lo) + 0.5) : 0;
		if (utf8)
			memcpy(buf + used, blocks[level], 3);
		else
			buf[used] = ascii[level];
		used += cell;
	}
	buf[used] = '\0';
	return used;
}

bool trend_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8"));
}
