/* `connwatch summary --replay FILE --from T1 [--to T2]`: which warnings fired in a span of a
 * recording, when each was first and last seen. Reads what the recorder concluded at each
 * refresh (recording.h), so it answers in the thresholds the recorder ran with. */
#include "cmd_common.h"
#include "commands.h"
#include "exitcode.h"
#include "history.h"
#include "i18n.h"
#include "options.h"
#include "render_json.h"
#include "util/escape.h"
#include "util/grow.h"
#include "util/jsonw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One rule on one port over the span. */
struct fired {
	char id[REC_WARNING_ID_MAX];
	int32_t port;
	uint8_t severity; /* the worst seen */
	int64_t first_ms, last_ms;
	uint64_t refreshes;
	char message[256]; /* as first seen */
};

struct span {
	struct fired *items;
	size_t count, cap;
	uint64_t refreshes;
	int64_t from_ms, to_ms;
};

static int span_add(struct span *s, const struct rec_warning *w, int64_t t)
{
	for (size_t i = 0; i < s->count; i++) {
		struct fired *f = &s->items[i];
		if (f->port == w->port && !strcmp(f->id, w->id)) {
			f->last_ms = t;
			f->refreshes++;
			if (w->severity > f->severity)
				f->severity = w->severity;
			return 0;
		}
	}
	size_t cap = grow_capacity(s->cap, s->count + 1, 16);
	if (cap != s->cap) {
		if (grow_array(&s->items, cap, sizeof(*s->items)) < 0)
			return -ENOMEM;
		s->cap = cap;
	}
	struct fired *f = &s->items[s->count++];
	memcpy(f->id, w->id, sizeof(f->id));
	f->port = w->port;
	f->severity = w->severity;
	f->first_ms = f->last_ms = t;
	f->refreshes = 1;
	memcpy(f->message, w->message, sizeof(f->message));
	return 0;
}

static void iso_utc(char *buf, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
}

static void render_span_json(FILE *out, const char *path, const struct span *s)
{
	struct jsonw w;
	char when[40];
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "version", CW_JSON_VERSION);
	jsonw_kv_string(&w, "recording", path);
	iso_utc(when, sizeof(when), s->from_ms);
	jsonw_kv_string(&w, "from", when);
	iso_utc(when, sizeof(when), s->to_ms);
	jsonw_kv_string(&w, "to", when);
	jsonw_kv_uint(&w, "refreshes", s->refreshes);
	jsonw_key(&w, "warnings");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < s->count; i++) {
		const struct fired *f = &s->items[i];
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "id", f->id);
		jsonw_kv_string(&w, "severity",
		                diag_severity_name((enum diag_severity)f->severity));
		jsonw_key(&w, "port");
		if (f->port >= 0)
			jsonw_int(&w, f->port);
		else
			jsonw_null(&w);
		iso_utc(when, sizeof(when), f->first_ms);
		jsonw_kv_string(&w, "first_seen", when);
		jsonw_kv_int(&w, "first_seen_ms", f->first_ms);
		iso_utc(when, sizeof(when), f->last_ms);
		jsonw_kv_string(&w, "last_seen", when);
		jsonw_kv_int(&w, "last_seen_ms", f->last_ms);
		jsonw_kv_uint(&w, "refreshes", f->refreshes);
		jsonw_kv_string(&w, "message", f->message);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fputc('\n', out);
}

static void render_span_text(FILE *out, const char *path, const struct span *s)
{
	char from[32], to[32], first[32], last[32], name[512];
	history_format_time(from, sizeof(from), s->from_ms);
	history_format_time(to, sizeof(to), s->to_ms);
	escape_terminal(path, strlen(path), name, sizeof(name));
	fprintf(out, _("%s: %llu refreshes from %s to %s\n"), name,
	        (unsigned long long)s->refreshes, from, to);
	if (!s->count) {
		fprintf(out, "%s\n", _("No warning fired."));
		return;
	}
	fprintf(out, "%s\n", _("Warnings that fired (first seen, last seen, refreshes):"));
	for (size_t i = 0; i < s->count; i++) {
		const struct fired *f = &s->items[i];
		history_format_time(first, sizeof(first), f->first_ms);
		history_format_time(last, sizeof(last), f->last_ms);
		char port[24] = "";
		if (f->port >= 0)
			snprintf(port, sizeof(port), _(" port %d"), (int)f->port);
		fprintf(out, "  %-8s %s%s: %s .. %s (%llu)\n",
		        diag_severity_name((enum diag_severity)f->severity), f->id, port, first,
		        last, (unsigned long long)f->refreshes);
		escape_terminal(f->message, strlen(f->message), name, sizeof(name));
		fprintf(out, "           %s\n", name);
	}
}

int cmd_summary_span(const struct cw_options *o)
{
	struct history h;
	struct cw_error err = {0};
	if (!rec_file_is_recording(o->replay_path)) {
		cmd_print_error(_("--from reads a recording made by `connwatch record` or `live "
		                  "--record`; this file is not one"));
		return CW_EXIT_USAGE;
	}
	if (history_open(&h, o->replay_path, &err) < 0) {
		history_close(&h);
		cmd_print_error(err.msg);
		return CW_EXIT_RUNTIME;
	}
	size_t n = history_count(&h);
	struct span s = {0};
	int64_t first = history_time_ms(&h, 0), last = history_time_ms(&h, n - 1);
	s.to_ms = last;
	if (history_parse_time(o->from, first, last, "--from", &s.from_ms, &err) < 0 ||
	    (o->to && history_parse_time(o->to, first, last, "--to", &s.to_ms, &err) < 0)) {
		history_close(&h);
		cmd_print_error(err.msg);
		return CW_EXIT_USAGE;
	}
	int status = CW_EXIT_OK;
	for (size_t i = 0; i < history_count(&h); i++) {
		int64_t t = history_time_ms(&h, i);
		if (t < s.from_ms || t > s.to_ms)
			continue;
		int rc = history_load_meta(&h, i, &err);
		if (rc == -EBADMSG)
			break; /* the damage is reported below */
		if (rc < 0) {
			cmd_print_error(err.msg);
			status = CW_EXIT_RUNTIME;
			goto out;
		}
		const struct rec_meta *m = history_meta(&h);
		s.refreshes++;
		for (size_t k = 0; k < m->warning_count; k++)
			if (span_add(&s, &m->warnings[k], t) < 0) {
				cmd_print_error(_("out of memory"));
				status = CW_EXIT_RUNTIME;
				goto out;
			}
	}
	if (o->json)
		render_span_json(stdout, o->replay_path, &s);
	else
		render_span_text(stdout, o->replay_path, &s);
	status = cmd_output_status(stdout);
	if (history_damage(&h)) {
		cmd_print_error(history_damage(&h));
		if (status == CW_EXIT_OK)
			status = CW_EXIT_PARTIAL;
	}
out:
	free(s.items);
	history_close(&h);
	return status;
}
