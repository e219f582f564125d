#include "cw_config.h"

#include "i18n.h"
#include "util/escape.h"
#include "util/parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KEY(field, unit, help)                                                                     \
	{                                                                                          \
#field, offsetof(struct diag_config, field), unit, help                            \
	}
#define KEY_AS(name, field, unit, help)                                                            \
	{                                                                                          \
		name, offsetof(struct diag_config, field), unit, help                              \
	}

const struct config_key config_keys[] = {
    KEY(syn_recv_warning, CONFIG_COUNT, N_("SYN_RECV sockets on one port for a syn_flood warning")),
    KEY(syn_recv_critical, CONFIG_COUNT,
        N_("SYN_RECV sockets on one port for a critical syn_flood")),
    KEY(time_wait_remote, CONFIG_COUNT, N_("TIME_WAIT sockets toward one remote endpoint")),
    KEY(time_wait_total, CONFIG_COUNT, N_("TIME_WAIT sockets in all")),
    KEY(time_wait_buckets_pct, CONFIG_PERCENT,
        N_("TIME_WAIT as a percentage of net.ipv4.tcp_max_tw_buckets")),
    KEY(ephemeral_pct, CONFIG_PERCENT,
        N_("percentage of the local port range held toward one endpoint for a critical time_wait")),
    KEY(close_wait_count, CONFIG_COUNT,
        N_("CLOSE_WAIT sockets on one port older than close_wait_age")),
    KEY_AS("close_wait_age", close_wait_age_s, CONFIG_SECONDS,
           N_("age from which a CLOSE_WAIT socket hangs")),
    KEY(close_wait_unaged, CONFIG_COUNT,
        N_("CLOSE_WAIT sockets on one port when their age is unknown")),
    KEY(listen_queue_pct, CONFIG_PERCENT, N_("accept queue as a percentage of its backlog")),
    KEY_AS("recv_q", recv_q_bytes, CONFIG_BYTES, N_("unread bytes on one connection")),
    KEY_AS("send_q", send_q_bytes, CONFIG_BYTES, N_("unacknowledged bytes on one connection")),
    KEY(queue_connections, CONFIG_COUNT, N_("connections over recv_q or send_q before a warning")),
    KEY(fin_wait2_count, CONFIG_COUNT, N_("FIN_WAIT2 sockets in all")),
    KEY(orphans_pct, CONFIG_PERCENT,
        N_("orphaned sockets as a percentage of net.ipv4.tcp_max_orphans")),
    KEY(syn_sent_remote, CONFIG_COUNT, N_("SYN_SENT sockets toward one remote endpoint")),
    KEY(syn_sent_total, CONFIG_COUNT, N_("SYN_SENT sockets in all")),
};
const size_t config_key_count = sizeof(config_keys) / sizeof(config_keys[0]);

static const struct config_key *key_find(const char *name, size_t len)
{
	for (size_t i = 0; i < config_key_count; i++)
		if (strlen(config_keys[i].name) == len && !memcmp(config_keys[i].name, name, len))
			return &config_keys[i];
	return NULL;
}

static const char *unit_hint(enum config_unit u)
{
	switch (u) {
	case CONFIG_PERCENT:
		return _("a percentage from 0 to 100");
	case CONFIG_SECONDS:
		return _("seconds, or a number followed by s, m or h");
	case CONFIG_BYTES:
		return _("bytes, or a number followed by K, M or G");
	default:
		return _("a whole number");
	}
}

/* Parses value in the key's unit; false when malformed or out of range. */
static bool parse_value(const struct config_key *k, const char *value, uint32_t *out)
{
	size_t len = strlen(value);
	uint64_t mult = 1;
	char digits[32];
	if (!len || len >= sizeof(digits))
		return false;
	memcpy(digits, value, len + 1);
	char last = digits[len - 1];
	if (k->unit == CONFIG_SECONDS && strchr("smh", last)) {
		mult = last == 'h' ? 3600 : last == 'm' ? 60 : 1;
		digits[--len] = '\0';
	} else if (k->unit == CONFIG_BYTES && strchr("KkMmGg", last)) {
		mult = (last == 'K' || last == 'k')   ? 1024
		       : (last == 'M' || last == 'm') ? 1u << 20
		                                      : 1u << 30;
		digits[--len] = '\0';
	}
	uint64_t max = k->unit == CONFIG_PERCENT ? 100 : UINT32_MAX;
	uint64_t v;
	if (!parse_dec_str(digits, 0, UINT32_MAX, &v) || v * mult > max)
		return false;
	*out = (uint32_t)(v * mult);
	return true;
}

/* Text from a file or the command line, made safe for the terminal the error is printed to. */
static const char *safe(const char *text, char *buf, size_t size)
{
	escape_terminal(text, strlen(text), buf, size);
	return buf;
}

int config_set(struct diag_config *cfg, const char *name, const char *value, const char *where,
               struct cw_error *err)
{
	char safe_name[128], safe_value[128];
	const struct config_key *k = key_find(name, strlen(name));
	if (!k) {
		char names[1024];
		size_t used = 0;
		names[0] = '\0';
		for (size_t i = 0; i < config_key_count && used < sizeof(names); i++) {
			int n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
			                 config_keys[i].name);
			if (n < 0)
				break;
			used += (size_t)n;
		}
		return cw_error_set(err, -EINVAL, _("%s: unknown threshold '%s'; known: %s"), where,
		                    safe(name, safe_name, sizeof(safe_name)), names);
	}
	uint32_t v;
	if (!parse_value(k, value, &v))
		return cw_error_set(err, -EINVAL, _("%s: bad value '%s' for %s: expected %s"),
		                    where, safe(value, safe_value, sizeof(safe_value)), k->name,
		                    unit_hint(k->unit));
	memcpy((char *)cfg + k->offset, &v, sizeof(v));
	return 0;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int config_set_assignment(struct diag_config *cfg, const char *assignment, struct cw_error *err)
{
	char buf[256];
	if (strlen(assignment) >= sizeof(buf) || !strchr(assignment, '=')) {
		char shown[128];
		return cw_error_set(err, -EINVAL,
		                    _("--threshold: '%s' is not NAME=VALUE (see connwatch(1), "
		                      "THRESHOLDS)"),
		                    safe(assignment, shown, sizeof(shown)));
	}
	strcpy(buf, assignment);
	char *eq = strchr(buf, '=');
	*eq = '\0';
	return config_set(cfg, trim(buf), trim(eq + 1), "--threshold", err);
}

int config_read_stream(struct diag_config *cfg, FILE *f, const char *path, struct cw_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long lineno = 0;
	int r = 0;
	while (r == 0 && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		char where[512], shown_path[400];
		snprintf(where, sizeof(where), "%s:%lu", safe(path, shown_path, sizeof(shown_path)),
		         lineno);
		if (strlen(line) != (size_t)len) {
			r = cw_error_set(err, -EINVAL, _("%s: contains a NUL byte"), where);
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			char shown[64];
			r = cw_error_set(err, -EINVAL, _("%s: expected NAME = VALUE, found '%s'"),
			                 where, safe(s, shown, sizeof(shown)));
			break;
		}
		*eq = '\0';
		r = config_set(cfg, trim(s), trim(eq + 1), where, err);
	}
	free(line);
	if (r == 0 && ferror(f))
		r = cw_error_set(err, -EIO, _("cannot read %s: %s"), path, strerror(errno));
	return r;
}

int config_read_file(struct diag_config *cfg, const char *path, bool must_exist,
                     struct cw_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return cw_error_set(err, -errno, _("cannot open %s: %s"), path, strerror(errno));
	}
	int r = config_read_stream(cfg, f, path, err);
	fclose(f);
	return r;
}

/* A default file: missing is fine, unreadable is a warning (an operator's file with the wrong
 * mode must not stop every view), a bad value is an error. */
static int read_default_file(struct diag_config *cfg, const char *path,
                             struct config_skipped *skipped, struct cw_error *err)
{
	struct cw_error e = {0};
	int r = config_read_file(cfg, path, false, &e);
	if (r == 0 || r == -EINVAL) {
		if (r < 0 && err)
			*err = e;
		return r;
	}
	if (skipped && skipped->count < CONFIG_DEFAULT_FILES)
		snprintf(skipped->msg[skipped->count++], sizeof(skipped->msg[0]), _("%s; skipped"),
		         e.msg);
	return 0;
}

int config_load(struct diag_config *cfg, const char *explicit_path, const char *const *assignments,
                size_t assignment_count, struct config_skipped *skipped, struct cw_error *err)
{
	diag_config_default(cfg);
	if (skipped)
		skipped->count = 0;
	int r = 0;
	if (explicit_path) {
		r = config_read_file(cfg, explicit_path, true, err);
	} else {
		r = read_default_file(cfg, "/etc/connwatch.conf", skipped, err);
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		char path[4096];
		int n = -1;
		if (xdg && *xdg)
			n = snprintf(path, sizeof(path), "%s/connwatch.conf", xdg);
		else if (home && *home)
			n = snprintf(path, sizeof(path), "%s/.config/connwatch.conf", home);
		if (r == 0 && n > 0 && (size_t)n < sizeof(path))
			r = read_default_file(cfg, path, skipped, err);
	}
	for (size_t i = 0; r == 0 && i < assignment_count; i++)
		r = config_set_assignment(cfg, assignments[i], err);
	return r;
}

void config_print_defaults(FILE *out)
{
	struct diag_config d;
	diag_config_default(&d);
	for (size_t i = 0; i < config_key_count; i++) {
		uint32_t v;
		memcpy(&v, (const char *)&d + config_keys[i].offset, sizeof(v));
		fprintf(out, "# %s\n%s = %u\n", _(config_keys[i].help), config_keys[i].name, v);
	}
}
