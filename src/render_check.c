#include "render_check.h"

#include "i18n.h"
#include "render_summary.h"
#include "states.h"

#include <errno.h>
#include <stdlib.h>

/* Text in the status line must not contain '|' (it starts the perfdata) or a line break (the
 * first line is the status); anything else from a message passes as it is. */
static void put_plain(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s == '|' ? '/' : (*s == '\n' || *s == '\r') ? ' ' : *s, out);
}

static void put_problem(FILE *out, const struct check_problem *p)
{
	if (p->rule) {
		fprintf(out, "%s: ", p->rule->id);
		put_plain(out, p->rule->message);
		return;
	}
	fprintf(out,
	        p->status == CHECK_CRITICAL ? _("%s %zu (critical: %s)")
	                                    : _("%s %zu (warning: %s)"),
	        threshold_key_label(p->key), p->value, p->range);
}

static void put_perf(FILE *out, unsigned int key, size_t value, const struct threshold_set *t)
{
	fprintf(out, " '%s'=%zu;%s;%s;0;", threshold_key_label(key), value,
	        t->has_warn[key] ? t->warn[key].text : "",
	        t->has_crit[key] ? t->crit[key].text : "");
}

int render_check(FILE *out, const struct check_result *res, const size_t counts[THRESHOLD_KEYS],
                 const struct threshold_set *t, enum filter_listening selection)
{
	fprintf(out, "CONNWATCH %s - ", check_status_name(res->status));
	if (res->problem_count == 0) {
		size_t n = counts[THRESHOLD_TOTAL];
		const char *what =
		    selection == FILTER_CONNECTED ? P_("%zu TCP connection, no warnings",
		                                       "%zu TCP connections, no warnings", n)
		    : selection == FILTER_LISTENING
		        ? P_("%zu listening TCP socket, no warnings",
		             "%zu listening TCP sockets, no warnings", n)
		        : P_("%zu TCP socket, no warnings", "%zu TCP sockets, no warnings", n);
		fprintf(out, what, n);
	} else {
		for (size_t i = 0; i < res->problem_count; i++) {
			if (i)
				fputs("; ", out);
			put_problem(out, &res->problems[i]);
		}
		if (res->problems_dropped)
			fprintf(out, _("; and %zu more"), res->problems_dropped);
	}
	fputs(" |", out);
	for (unsigned int i = 0; i < tcp_states_documented_count; i++)
		put_perf(out, tcp_states_documented[i], counts[tcp_states_documented[i]], t);
	put_perf(out, THRESHOLD_TOTAL, counts[THRESHOLD_TOTAL], t);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int render_check_unknown(FILE *out, const char *reason)
{
	fputs("CONNWATCH UNKNOWN - ", out);
	put_plain(out, reason);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int render_check_long(FILE *out, const struct diag_report *report)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return -ENOMEM;
	for (size_t i = 0; i < report->count; i++)
		render_warning_text(mem, &report->items[i]);
	if (fclose(mem) != 0 || !text) {
		free(text);
		return -ENOMEM;
	}
	for (char *p = text; *p; p++)
		fputc(*p == '|' ? '/' : *p, out);
	free(text);
	return ferror(out) ? -EIO : 0;
}
