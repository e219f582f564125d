#include "threshold.h"

#include "i18n.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A bound: a decimal number, nothing else (no blanks, no hex, no "inf"/"nan" that strtod takes). */
static bool parse_bound(const char *s, size_t len, double *out)
{
	char buf[THRESHOLD_TEXT_MAX];
	if (len == 0 || len >= sizeof(buf))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != '.' && s[i] != '-' && s[i] != '+')
			return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (errno || end != buf + len || !isfinite(v))
		return false;
	*out = v;
	return true;
}

int threshold_range_parse(const char *text, struct threshold_range *out, struct cw_error *err)
{
	if (!text || !*text)
		return cw_error_set(err, -EINVAL, "%s", _("empty threshold range"));
	if (strlen(text) >= THRESHOLD_TEXT_MAX)
		return cw_error_set(err, -EINVAL, _("threshold range '%.20s...' is too long"),
		                    text);
	struct threshold_range r = {.start = 0, .end = INFINITY};
	snprintf(r.text, sizeof(r.text), "%s", text);
	const char *p = text;
	if (*p == '@') {
		r.inside = true;
		p++;
	}
	const char *colon = strchr(p, ':');
	if (!colon) {
		/* "N": alert outside 0..N */
		if (!parse_bound(p, strlen(p), &r.end))
			goto bad;
	} else {
		size_t start_len = (size_t)(colon - p);
		if (start_len == 1 && p[0] == '~')
			r.start = -INFINITY;
		else if (!parse_bound(p, start_len, &r.start))
			goto bad;
		const char *e = colon + 1;
		if (*e && !parse_bound(e, strlen(e), &r.end))
			goto bad;
	}
	if (r.start > r.end)
		return cw_error_set(err, -EINVAL,
		                    _("threshold range '%s': the start is greater than the end"),
		                    text);
	*out = r;
	return 0;
bad:
	return cw_error_set(err, -EINVAL,
	                    _("threshold range '%s' is not valid; use N, N:, ~:N, N:M or @N:M "
	                      "(monitoring-plugins syntax)"),
	                    text);
}

bool threshold_range_alerts(const struct threshold_range *r, double value)
{
	bool within = value >= r->start && value <= r->end;
	return r->inside ? within : !within;
}

const char *threshold_key_label(unsigned int key)
{
	return key == THRESHOLD_TOTAL ? "total" : tcp_state_label(key);
}

int threshold_set_add(struct threshold_set *set, const char *text, bool critical,
                      struct cw_error *err)
{
	const char *eq = strchr(text, '=');
	if (!eq || eq == text)
		return cw_error_set(err, -EINVAL,
		                    _("threshold '%s' is not STATE=RANGE (for example "
		                      "time_wait=500 or established=@0:10)"),
		                    text);
	char name[32];
	size_t len = (size_t)(eq - text);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, text, len);
	name[len] = '\0';
	unsigned int key;
	if (!strcasecmp(name, "total")) {
		key = THRESHOLD_TOTAL;
	} else {
		key = tcp_state_parse(name);
		if (key == TCP_ST_UNKNOWN)
			return cw_error_set(err, -EINVAL,
			                    _("threshold '%s': '%s' is not a TCP state or 'total'"),
			                    text, name);
	}
	struct threshold_range r;
	int rc = threshold_range_parse(eq + 1, &r, err);
	if (rc < 0)
		return rc;
	if (critical) {
		set->crit[key] = r;
		set->has_crit[key] = true;
	} else {
		set->warn[key] = r;
		set->has_warn[key] = true;
	}
	return 0;
}
