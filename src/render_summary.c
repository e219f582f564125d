/* Text report of `connwatch summary`: counts, top lists, then the diagnosis. */
#include "render_summary.h"

#include "i18n.h"
#include "states.h"
#include "util/escape.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

const char *render_state_key(enum stats_proto proto, unsigned int state)
{
	if ((proto == STATS_UDP || proto == STATS_UDP6) && state != TCP_ST_ESTABLISHED)
		return "UNCONN";
	return tcp_state_name(state);
}

static void print_row(FILE *out, const char *name, const uint64_t counts[STATS_PROTO_COUNT])
{
	uint64_t row = 0;
	for (int p = 0; p < STATS_PROTO_COUNT; p++)
		row += counts[p];
	if (!row)
		return;
	fprintf(out, "%-12s", name);
	for (int p = 0; p < STATS_PROTO_COUNT; p++)
		fprintf(out, " %8" PRIu64, counts[p]);
	fprintf(out, " %8" PRIu64 "\n", row);
}

/* States in the order of the open/close sequence, as `explain` lists them, then UNKNOWN for
 * anything a later kernel adds. Unconnected UDP sockets share the CLOSE slot with closed TCP
 * sockets in the counts; they get a row of their own, UNCONN, as ss names them. */
static void print_state_table(FILE *out, const struct stats *s)
{
	fprintf(out, "%-12s %8s %8s %8s %8s %8s\n", _("State"), "tcp", "tcp6", "udp", "udp6",
	        _("total"));
	for (unsigned int i = 0; i <= tcp_states_documented_count; i++) {
		unsigned int st =
		    i < tcp_states_documented_count ? tcp_states_documented[i] : TCP_ST_UNKNOWN;
		uint64_t counts[STATS_PROTO_COUNT];
		for (int p = 0; p < STATS_PROTO_COUNT; p++)
			counts[p] = s->by_proto_state[p][st];
		if (st != TCP_ST_CLOSE) {
			print_row(out, tcp_state_name(st), counts);
			continue;
		}
		uint64_t tcp[STATS_PROTO_COUNT] = {counts[STATS_TCP], counts[STATS_TCP6], 0, 0};
		uint64_t udp[STATS_PROTO_COUNT] = {0, 0, counts[STATS_UDP], counts[STATS_UDP6]};
		print_row(out, tcp_state_name(st), tcp);
		print_row(out, "UNCONN", udp);
	}
	print_row(out, _("all"), s->by_proto);
	if (!s->total)
		fprintf(out, "%-12s %8d %8d %8d %8d %8d\n", _("all"), 0, 0, 0, 0, 0);
}

static void print_top(FILE *out, const struct stats *s, enum stats_tally_id id, const char *title,
                      bool as_port)
{
	struct stats_entry top[SUMMARY_TOP];
	/* ports: service ports only, a client's ephemeral ports say nothing about the host */
	size_t n = stats_top(s, id, as_port ? STATS_TOP_SERVICE_PORTS : STATS_TOP_ANY_PORT, top,
	                     SUMMARY_TOP);
	if (!n)
		return;
	fprintf(out, "\n%s\n", title);
	for (size_t i = 0; i < n; i++) {
		char text[STATS_KEY_TEXT_MAX];
		if (as_port)
			snprintf(text, sizeof(text), "%u", top[i].key.port);
		else
			stats_key_format(text, &top[i].key, false);
		fprintf(out, "  %-40s %8" PRIu64 "\n", text, top[i].count);
	}
}

/* /24 and /64 groups only help when they gather several addresses. */
static void print_networks(FILE *out, const struct stats *s)
{
	struct stats_entry top[SUMMARY_TOP];
	size_t n = stats_top(s, STATS_REMOTE_NET, -1, top, SUMMARY_TOP);
	bool header = false;
	for (size_t i = 0; i < n; i++) {
		if (top[i].aux < 2)
			continue;
		if (!header) {
			fprintf(out, "\n%s\n", _("Busiest remote networks (/24, /64)"));
			header = true;
		}
		char text[STATS_KEY_TEXT_MAX];
		stats_key_format(text, &top[i].key, false);
		fprintf(out, "  %-40s %8" PRIu64 "  ", text, top[i].count);
		fprintf(out, P_("(%llu address)", "(%llu addresses)", top[i].aux),
		        (unsigned long long)top[i].aux);
		fputc('\n', out);
	}
}

static void print_processes(FILE *out, const struct tally *sum)
{
	struct stats_entry top[SUMMARY_TOP];
	size_t n = stats_top(&sum->stats, STATS_OWNER, -1, top, SUMMARY_TOP);
	if (!n)
		return;
	fprintf(out, "\n%s\n", _("Busiest processes"));
	for (size_t i = 0; i < n; i++) {
		const char *name = sum->owners.name_of
		                       ? sum->owners.name_of(sum->owners.ctx, top[i].key.id)
		                       : NULL;
		char safe[128] = "?";
		if (name)
			escape_terminal(name, strlen(name), safe, sizeof(safe));
		/* padded by display columns, not bytes: a UTF-8 name keeps the counts aligned */
		size_t cols = utf8_columns(safe, strlen(safe));
		fprintf(out, "  %-8u %s%*s %8" PRIu64, top[i].key.id, safe,
		        cols < 31 ? (int)(31 - cols) : 0, "", top[i].count);
		/* Its sockets per state, listeners too: "(ESTABLISHED 118, CLOSE_WAIT 2)". */
		const char *sep = "  (";
		for (unsigned int st = 0; st <= STATS_OWNER_UNCONN; st++) {
			struct stats_key k = {.id = top[i].key.id, .port = (uint16_t)st};
			const struct stats_entry *e =
			    stats_find(&sum->stats, STATS_OWNER_STATE, &k);
			if (!e || !e->count)
				continue;
			fprintf(out, "%s%s %" PRIu64, sep,
			        st == STATS_OWNER_UNCONN ? "UNCONN" : tcp_state_name(st), e->count);
			sep = ", ";
		}
		fputs(*sep == ',' ? ")\n" : "\n", out);
	}
}

/* "Busiest units" / "Busiest containers" (summary -p): connections per unit or container. */
static void print_groups(FILE *out, const struct tally *sum, enum owner_group_kind kind)
{
	struct owner_groups g;
	if (tally_owner_groups(sum, kind, SUMMARY_TOP, &g) < 0 || !g.count) {
		owner_groups_free(&g);
		return;
	}
	fprintf(out, "\n%s\n",
	        kind == OWNER_GROUP_UNIT ? _("Busiest units") : _("Busiest containers"));
	for (size_t i = 0; i < g.count; i++) {
		char label[CGROUP_UNIT_MAX + 32], safe[4 * sizeof(label)];
		if (kind == OWNER_GROUP_UNIT)
			snprintf(label, sizeof(label), "%s", g.items[i].cg->unit);
		else
			cgroup_owner_label(g.items[i].cg, label, sizeof(label));
		escape_terminal(label, strlen(label), safe, sizeof(safe));
		fprintf(out, "  %-40s %8" PRIu64 "  ", safe, g.items[i].count);
		fprintf(out, _("(processes: %u)"), g.items[i].processes);
		fputc('\n', out);
	}
	if (g.other_groups) {
		char other[64];
		snprintf(other, sizeof(other),
		         kind == OWNER_GROUP_UNIT ? _("other units: %zu")
		                                  : _("other containers: %zu"),
		         g.other_groups);
		fprintf(out, "  %-40s %8" PRIu64 "  ", other, g.other_count);
		fprintf(out, _("(processes: %u)"), g.other_processes);
		fputc('\n', out);
	}
	owner_groups_free(&g);
}

static void print_scalar(FILE *out, const struct diag_scalar *e)
{
	fprintf(out, "      %s: ", _(e->label));
	switch (e->kind) {
	case DIAG_V_UINT:
		fprintf(out, "%" PRIu64, e->v.u);
		break;
	case DIAG_V_INT:
		fprintf(out, "%" PRId64, e->v.i);
		break;
	case DIAG_V_DOUBLE:
		fprintf(out, "%.1f", e->v.d);
		break;
	case DIAG_V_BOOL:
		fputs(e->v.b ? _("yes") : _("no"), out);
		break;
	case DIAG_V_TEXT:
		fputs(e->word ? _(e->word) : e->text, out);
		break;
	}
	fputc('\n', out);
}

/* " nginx.service docker:web" after a pid: escaped, they came from the process. */
static void print_owner_names(FILE *out, const struct diag_item *it)
{
	const char *names[] = {it->unit, it->container};
	for (int k = 0; k < 2; k++) {
		char safe[4 * DIAG_TEXT_MAX];
		if (!names[k][0])
			continue;
		escape_terminal(names[k], strlen(names[k]), safe, sizeof(safe));
		fprintf(out, " %s", safe);
	}
}

static void print_list(FILE *out, const struct diag_list *l)
{
	if (!l->count)
		return;
	fprintf(out, "      %s:", _(l->label));
	for (size_t i = 0; i < l->count; i++) {
		const struct diag_item *it = &l->items[i];
		fputs(i ? ", " : " ", out);
		if (it->address[0] && it->port >= 0)
			fprintf(out, strchr(it->address, ':') ? "[%s]:%d" : "%s:%d", it->address,
			        it->port);
		else if (it->address[0])
			fputs(it->address, out);
		else if (it->port >= 0)
			fprintf(out, "%d", it->port);
		else if (l->extra_key[0])
			fprintf(out, "%s %" PRId64, l->extra_key[0], it->extra[0]);
		print_owner_names(out, it);
		fprintf(out, " (%" PRIu64 ")", it->count);
	}
	fputc('\n', out);
}

void render_warning_text(FILE *out, const struct warning *w)
{
	/* the severity in words of the reader's language; the rule id stays (docs, alerts) */
	const char *severity = w->severity == DIAG_CRITICAL ? _("critical") : _("warning");
	if (w->netns[0]) {
		char safe[4 * sizeof(w->netns)];
		escape_terminal(w->netns, strlen(w->netns), safe, sizeof(safe));
		fprintf(out, "  [%s] %s (%s %s): %s\n", severity, w->id, _("netns"), safe,
		        w->message);
	} else {
		fprintf(out, "  [%s] %s: %s\n", severity, w->id, w->message);
	}
	for (size_t i = 0; i < w->evidence_count; i++)
		print_scalar(out, &w->evidence[i]);
	for (size_t i = 0; i < w->list_count; i++)
		print_list(out, &w->lists[i]);
	fprintf(out, "    %s %s\n", _("What to do:"), _(w->remedy));
}

int render_summary_text(FILE *out, const struct tally *sum)
{
	const struct stats *s = &sum->stats;
	fprintf(out, _("Connections: %llu"), (unsigned long long)s->total);
	fputs("\n\n", out);
	print_state_table(out, s);
	/* Listeners are read for the rules; those the filter hides are still worth a line. */
	uint64_t hidden = s->tcp_listeners - s->by_state[TCP_ST_LISTEN];
	if (s->tcp_listeners >= s->by_state[TCP_ST_LISTEN] && hidden) {
		fputc('\n', out);
		fprintf(out, _("Listening TCP sockets (not counted above): %llu"),
		        (unsigned long long)hidden);
		fputc('\n', out);
	}
	print_top(out, s, STATS_REMOTE_IP, _("Busiest remote addresses"), false);
	print_networks(out, s);
	print_top(out, s, STATS_LOCAL_PORT, _("Busiest local ports"), true);
	print_processes(out, sum);
	print_groups(out, sum, OWNER_GROUP_UNIT);
	print_groups(out, sum, OWNER_GROUP_CONTAINER);

	fprintf(out, "\n%s\n", _("Diagnosis"));
	if (!sum->report.count)
		fprintf(out, "  %s\n",
		        _("No warning signs: no state piles up beyond the thresholds."));
	for (size_t i = 0; i < sum->report.count; i++)
		render_warning_text(out, &sum->report.items[i]);
	if (!sum->have_counters)
		fprintf(out, "  %s\n",
		        _("(Kernel counters are unknown for this input: rates and limits are left "
		          "out.)"));
	return ferror(out) ? -EIO : 0;
}
