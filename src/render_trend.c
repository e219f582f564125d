#include "render_trend.h"

#include "i18n.h"

#include <stdio.h>

size_t render_trend_line(char *buf, size_t len, const struct trend *t, enum trend_series s,
                         size_t cells, bool utf8)
{
	uint64_t v[TREND_CELLS];
	size_t n = trend_values(t, s, v);
	if (cells < n) /* the newest cells */
		n = cells;
	uint64_t *from = v + (t->count - n);
	char spark[TREND_CELLS * 3 + 1];
	sparkline(spark, sizeof(spark), from, n, utf8);
	double rate;
	char per[48] = "";
	if (trend_per_minute(t, s, &rate))
		snprintf(per, sizeof(per), _("%+.0f/min"), rate);
	int w = snprintf(buf, len, "%-11s %7llu %9s  %s", trend_label(s),
	                 (unsigned long long)(n ? from[n - 1] : 0), per, spark);
	return w < 0 ? 0 : (size_t)w < len ? (size_t)w : len ? len - 1 : 0;
}

void render_trend_text(FILE *out, const struct trend *t, bool utf8)
{
	char line[TREND_CELLS * 3 + 96];
	for (unsigned s = 0; s < TREND_COUNT; s++) {
		render_trend_line(line, sizeof(line), t, (enum trend_series)s, TREND_CELLS, utf8);
		fprintf(out, "%s\n", line);
	}
}

void render_trend_json(struct jsonw *w, const struct trend *t, double interval_s)
{
	jsonw_key(w, "trend");
	jsonw_object_begin(w);
	jsonw_kv_double(w, "interval_s", interval_s);
	for (unsigned s = 0; s < TREND_COUNT; s++) {
		uint64_t v[TREND_CELLS];
		size_t n = trend_values(t, (enum trend_series)s, v);
		jsonw_key(w, trend_key((enum trend_series)s));
		jsonw_object_begin(w);
		jsonw_key(w, "values");
		jsonw_array_begin(w);
		for (size_t i = 0; i < n; i++)
			jsonw_uint(w, v[i]);
		jsonw_array_end(w);
		double rate;
		jsonw_key(w, "per_minute");
		if (trend_per_minute(t, (enum trend_series)s, &rate))
			jsonw_double(w, rate);
		else
			jsonw_null(w);
		jsonw_object_end(w);
	}
	jsonw_object_end(w);
}
