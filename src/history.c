#include "history.h"

#include "i18n.h"
#include "util/parse.h"
#include "util/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int history_open(struct history *h, const char *path, struct cw_error *err)
{
	h->loaded = REC_NO_FRAME;
	int rc = rec_reader_open(&h->rd, path, err);
	if (rc < 0)
		return rc;
	if (h->rd.count == 0)
		return cw_error_set(err, -EBADMSG,
		                    h->rd.damaged ? "%s"
		                                  : _("%s: the recording holds no refresh yet"),
		                    h->rd.damaged ? h->rd.damage : path);
	return 0;
}

void history_close(struct history *h)
{
	rec_reader_close(&h->rd);
}

size_t history_count(const struct history *h)
{
	return h->rd.count;
}

int64_t history_time_ms(const struct history *h, size_t i)
{
	return h->rd.frames[i].wall_ms;
}

const char *history_damage(const struct history *h)
{
	return h->rd.damaged ? h->rd.damage : NULL;
}

/* "1h30m", "10m", "45s": a sum of numbers with units. */
static bool parse_duration(const char *s, int64_t *out_ms)
{
	int64_t total = 0;
	if (!*s)
		return false;
	while (*s) {
		if (*s < '0' || *s > '9')
			return false;
		int64_t n = 0;
		while (*s >= '0' && *s <= '9') {
			if (n > 100000000)
				return false;
			n = n * 10 + (*s++ - '0');
		}
		int64_t unit;
		switch (*s++) {
		case 's':
			unit = 1000;
			break;
		case 'm':
			unit = 60000;
			break;
		case 'h':
			unit = 3600000;
			break;
		case 'd':
			unit = 86400000;
			break;
		default:
			return false;
		}
		total += n * unit;
		if (total > (int64_t)100 * 365 * 86400000)
			return false;
	}
	*out_ms = total;
	return true;
}

/* Reads exactly n digits. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* "HH:MM[:SS]" into tm; true when the whole rest of s was read. */
static bool clock_part(const char *s, struct tm *tm)
{
	int hh, mm, ss = 0;
	if (!digits(&s, 2, &hh) || *s++ != ':' || !digits(&s, 2, &mm))
		return false;
	if (*s == ':' && (s++, !digits(&s, 2, &ss)))
		return false;
	if (*s || hh > 23 || mm > 59 || ss > 60)
		return false;
	tm->tm_hour = hh;
	tm->tm_min = mm;
	tm->tm_sec = ss;
	return true;
}

int history_parse_time(const char *text, int64_t first_ms, int64_t last_ms, const char *what,
                       int64_t *out_ms, struct cw_error *err)
{
	int64_t d;
	if ((text[0] == '-' || text[0] == '+') && parse_duration(text + 1, &d)) {
		*out_ms = text[0] == '-' ? last_ms - d : first_ms + d;
		return 0;
	}
	size_t len = strlen(text);
	if (len && len <= 12 && strspn(text, "0123456789") == len) {
		uint64_t s;
		if (parse_dec_str(text, 0, 999999999999ull, &s)) {
			*out_ms = (int64_t)s * 1000;
			return 0;
		}
	}
	struct tm tm;
	time_t last_s = (time_t)(last_ms / 1000);
	if (!localtime_r(&last_s, &tm))
		memset(&tm, 0, sizeof(tm));
	const char *p = text;
	int y, mo, da;
	bool ok;
	if (len >= 10 && text[4] == '-') {
		ok = digits(&p, 4, &y) && *p++ == '-' && digits(&p, 2, &mo) && *p++ == '-' &&
		     digits(&p, 2, &da) && (*p == ' ' || *p == 'T') && clock_part(p + 1, &tm) &&
		     mo >= 1 && mo <= 12 && da >= 1 && da <= 31;
		if (ok) {
			tm.tm_year = y - 1900;
			tm.tm_mon = mo - 1;
			tm.tm_mday = da;
		}
	} else {
		ok = clock_part(text, &tm);
	}
	if (ok) {
		tm.tm_isdst = -1;
		time_t t = mktime(&tm);
		if (t != (time_t)-1) {
			*out_ms = (int64_t)t * 1000;
			return 0;
		}
	}
	return cw_error_set(err, -EINVAL,
	                    _("%s: '%s' is not a time (for example '2026-11-30 03:12', '03:12', "
	                      "'-10m' before the last refresh, '+30s' after the first, or epoch "
	                      "seconds)"),
	                    what, text);
}

void history_format_time(char *buf, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%lld", (long long)(ms / 1000));
}

int history_find(const struct history *h, const char *text, const char *what, size_t *out,
                 struct cw_error *err)
{
	size_t n = history_count(h);
	int64_t first = history_time_ms(h, 0), last = history_time_ms(h, n - 1), t;
	int rc = history_parse_time(text, first, last, what, &t, err);
	if (rc < 0)
		return rc;
	size_t i = rec_reader_find(&h->rd, t);
	if (i == REC_NO_FRAME) {
		char at[32], start[32];
		history_format_time(at, sizeof(at), t);
		history_format_time(start, sizeof(start), first);
		return cw_error_set(err, -ERANGE,
		                    _("%s: %s is before the recording starts (its first refresh is "
		                      "at %s)"),
		                    what, at, start);
	}
	*out = i;
	return 0;
}

int history_load(struct history *h, size_t i, struct snapshot *snap, struct cw_error *err)
{
	h->loaded = REC_NO_FRAME;
	int rc = rec_reader_seek(&h->rd, i, err);
	if (rc < 0)
		return rc;
	h->loaded = i;
	if (rec_decoder_snapshot(&h->rd.dec, snap) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	return 0;
}

int history_load_meta(struct history *h, size_t i, struct cw_error *err)
{
	h->loaded = REC_NO_FRAME;
	int rc = rec_reader_seek(&h->rd, i, err);
	if (rc == 0)
		h->loaded = i;
	return rc;
}

size_t history_find_warning(struct history *h, size_t from, int dir, struct cw_error *err)
{
	size_t i = from;
	for (;;) {
		if (dir < 0 ? i == 0 : i + 1 >= history_count(h))
			return REC_NO_FRAME;
		i = dir < 0 ? i - 1 : i + 1;
		if (history_load_meta(h, i, err) < 0)
			return REC_NO_FRAME;
		if (history_meta(h)->warning_count)
			return i;
	}
}

int history_report(const struct rec_meta *m, struct diag_report *out)
{
	diag_report_clear(out);
	for (size_t i = 0; i < m->warning_count; i++) {
		const struct rec_warning *w = &m->warnings[i];
		/* ids must be static strings: the rule table's, when this connwatch knows the rule
		 */
		const struct diag_rule *rule = diag_rule_find(w->id);
		if (!rule)
			continue;
		size_t cap = grow_capacity(out->capacity, out->count + 1, 8);
		if (cap != out->capacity) {
			if (grow_array(&out->items, cap, sizeof(*out->items)) < 0) {
				out->out_of_memory = true;
				return -ENOMEM;
			}
			out->capacity = cap;
		}
		struct warning *o = &out->items[out->count++];
		memset(o, 0, sizeof(*o));
		o->id = rule->id;
		o->severity = (enum diag_severity)w->severity;
		o->port = w->port;
		o->remedy = rule->remedy;
		snprintf(o->message, sizeof(o->message), "%s", w->message);
	}
	return 0;
}

const struct rec_meta *history_meta(const struct history *h)
{
	return &h->rd.dec.meta;
}
