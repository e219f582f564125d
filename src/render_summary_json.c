/* `connwatch summary --json` and `import --json` (docs/json.md). */
#include "render_json.h"
#include "render_summary.h"

#include "i18n.h"
#include "states.h"

#include <errno.h>
#include <string.h>

static void write_scalar(struct jsonw *w, const struct diag_scalar *e)
{
	jsonw_key(w, e->key);
	switch (e->kind) {
	case DIAG_V_UINT:
		jsonw_uint(w, e->v.u);
		break;
	case DIAG_V_INT:
		jsonw_int(w, e->v.i);
		break;
	case DIAG_V_DOUBLE:
		jsonw_double(w, e->v.d);
		break;
	case DIAG_V_BOOL:
		jsonw_bool(w, e->v.b);
		break;
	case DIAG_V_TEXT:
		jsonw_string(w, e->text);
		break;
	}
}

static void write_list(struct jsonw *w, const struct diag_list *l)
{
	jsonw_key(w, l->key);
	jsonw_array_begin(w);
	for (size_t i = 0; i < l->count; i++) {
		const struct diag_item *it = &l->items[i];
		jsonw_object_begin(w);
		if (it->address[0])
			jsonw_kv_string(w, "address", it->address);
		if (it->port >= 0)
			jsonw_kv_uint(w, "port", (uint64_t)it->port);
		jsonw_kv_uint(w, l->count_key, it->count);
		for (int k = 0; k < 2; k++)
			if (l->extra_key[k])
				jsonw_kv_int(w, l->extra_key[k], it->extra[k]);
		if (l->extra_key[0] && !strcmp(l->extra_key[0], "pid")) {
			/* Processes: their unit and container, null when unknown. */
			const char *names[] = {it->unit, it->container};
			const char *keys[] = {"unit", "container"};
			for (int k = 0; k < 2; k++) {
				jsonw_key(w, keys[k]);
				if (names[k][0])
					jsonw_string(w, names[k]);
				else
					jsonw_null(w);
			}
		}
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

void render_warning_json(struct jsonw *w, const struct warning *warn)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", warn->id);
	jsonw_kv_string(w, "severity", diag_severity_name(warn->severity));
	jsonw_kv_string(w, "message", warn->message);
	if (warn->netns[0])
		jsonw_kv_string(w, "netns", warn->netns);
	jsonw_key(w, "evidence");
	jsonw_object_begin(w);
	for (size_t i = 0; i < warn->evidence_count; i++)
		write_scalar(w, &warn->evidence[i]);
	for (size_t i = 0; i < warn->list_count; i++)
		write_list(w, &warn->lists[i]);
	jsonw_object_end(w);
	jsonw_kv_string(w, "remedy", _(warn->remedy));
	jsonw_object_end(w);
}

static void write_states(struct jsonw *w, const struct stats *s, int proto)
{
	jsonw_object_begin(w);
	for (unsigned int st = 0; st < TCP_ST_MAX; st++) {
		if (proto >= 0) {
			uint64_t n = s->by_proto_state[proto][st];
			if (n)
				jsonw_kv_uint(w, render_state_key((enum stats_proto)proto, st), n);
			continue;
		}
		/* All protocols together; UDP unconnected sockets under UNCONN, not CLOSED. */
		uint64_t tcp = s->by_proto_state[STATS_TCP][st] + s->by_proto_state[STATS_TCP6][st];
		uint64_t udp = s->by_proto_state[STATS_UDP][st] + s->by_proto_state[STATS_UDP6][st];
		if (st == TCP_ST_CLOSE) {
			if (tcp)
				jsonw_kv_uint(w, "CLOSED", tcp);
			if (udp)
				jsonw_kv_uint(w, "UNCONN", udp);
		} else if (tcp + udp) {
			jsonw_kv_uint(w, tcp_state_name(st), tcp + udp);
		}
	}
	jsonw_object_end(w);
}

/* The command line and the sockets per state of one process (summary -p). */
static void write_owner_detail(struct jsonw *w, const struct tally *sum, uint32_t pid)
{
	const char *cmdline =
	    sum->owners.cmdline_of ? sum->owners.cmdline_of(sum->owners.ctx, pid) : NULL;
	jsonw_key(w, "command_line");
	if (cmdline)
		jsonw_string(w, cmdline);
	else
		jsonw_null(w);
	jsonw_key(w, "states");
	jsonw_object_begin(w);
	for (unsigned int st = 0; st <= STATS_OWNER_UNCONN; st++) {
		struct stats_key k = {.id = pid, .port = (uint16_t)st};
		const struct stats_entry *e = stats_find(&sum->stats, STATS_OWNER_STATE, &k);
		if (e && e->count)
			jsonw_kv_uint(w, st == STATS_OWNER_UNCONN ? "UNCONN" : tcp_state_name(st),
			              e->count);
	}
	jsonw_object_end(w);
}

static void write_top(struct jsonw *w, const struct tally *sum, enum stats_tally_id id,
                      const char *key)
{
	struct stats_entry top[SUMMARY_TOP];
	/* ports: service ports only (listening, or outside ip_local_port_range) */
	size_t n = stats_top(&sum->stats, id,
	                     id == STATS_LOCAL_PORT ? STATS_TOP_SERVICE_PORTS : STATS_TOP_ANY_PORT,
	                     top, SUMMARY_TOP);
	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (size_t i = 0; i < n; i++) {
		if (id == STATS_REMOTE_NET && top[i].aux < 2)
			continue; /* a group of one address adds nothing */
		jsonw_object_begin(w);
		if (id == STATS_LOCAL_PORT) {
			jsonw_kv_uint(w, "port", top[i].key.port);
		} else if (id == STATS_OWNER) {
			jsonw_kv_uint(w, "pid", top[i].key.id);
			const char *name = sum->owners.name_of
			                       ? sum->owners.name_of(sum->owners.ctx, top[i].key.id)
			                       : NULL;
			if (name)
				jsonw_kv_string(w, "name", name);
			write_owner_detail(w, sum, top[i].key.id);
		} else {
			char text[STATS_KEY_TEXT_MAX];
			stats_key_format(text, &top[i].key, false);
			jsonw_kv_string(w, "address", text);
		}
		jsonw_kv_uint(w, "count", top[i].count);
		if (id == STATS_REMOTE_NET)
			jsonw_kv_uint(w, "addresses", top[i].aux);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

/* "units" / "containers" (summary -p): the busiest, then "<key>_other" with what is left. */
static void write_groups(struct jsonw *w, const struct tally *sum, enum owner_group_kind kind,
                         const char *key)
{
	struct owner_groups g;
	if (tally_owner_groups(sum, kind, SUMMARY_TOP, &g) < 0)
		memset(&g, 0, sizeof(g));
	jsonw_key(w, key);
	jsonw_array_begin(w);
	for (size_t i = 0; i < g.count; i++) {
		jsonw_object_begin(w);
		if (kind == OWNER_GROUP_UNIT) {
			jsonw_kv_string(w, "unit", g.items[i].cg->unit);
		} else {
			char short_id[CGROUP_SHORT_ID_LEN + 1], label[CGROUP_UNIT_MAX + 32];
			const struct cgroup_owner *cg = g.items[i].cg;
			cgroup_owner_short_id(cg, short_id);
			cgroup_owner_label(cg, label, sizeof(label));
			jsonw_kv_string(w, "runtime", cgroup_runtime_name(cg->runtime));
			jsonw_kv_string(w, "id", cg->id);
			jsonw_kv_string(w, "short_id", short_id);
			jsonw_key(w, "name");
			if (cg->name[0])
				jsonw_string(w, cg->name);
			else
				jsonw_null(w);
			jsonw_kv_string(w, "label", label);
		}
		jsonw_kv_uint(w, "count", g.items[i].count);
		jsonw_kv_uint(w, "processes", g.items[i].processes);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	char other[32];
	snprintf(other, sizeof(other), "%s_other", key);
	jsonw_key(w, other);
	jsonw_object_begin(w);
	jsonw_kv_uint(w, key, g.other_groups);
	jsonw_kv_uint(w, "count", g.other_count);
	jsonw_kv_uint(w, "processes", g.other_processes);
	jsonw_object_end(w);
	owner_groups_free(&g);
}

static void write_kernel(struct jsonw *w, const struct kcounters *kc)
{
	jsonw_key(w, "kernel");
	jsonw_object_begin(w);
	for (int i = 0; i < KC_COUNT; i++) {
		int64_t v = kcounters_get(kc, (enum kc_id)i);
		if (v != KC_UNKNOWN)
			jsonw_kv_int(w, kcounters_info((enum kc_id)i)->name, v);
	}
	jsonw_object_end(w);
}

int render_summary_json(FILE *out, const struct tally *sum)
{
	const struct stats *s = &sum->stats;
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "version", CW_JSON_VERSION);
	if (sum->source_name)
		jsonw_kv_string(&w, "source", sum->source_name);
	jsonw_kv_uint(&w, "total", s->total);
	jsonw_key(&w, "states");
	write_states(&w, s, -1);
	jsonw_key(&w, "protocols");
	jsonw_object_begin(&w);
	for (int p = 0; p < STATS_PROTO_COUNT; p++) {
		jsonw_key(&w, stats_proto_name((enum stats_proto)p));
		write_states(&w, s, p);
	}
	jsonw_object_end(&w);
	jsonw_kv_uint(&w, "listening", s->tcp_listeners);
	write_top(&w, sum, STATS_REMOTE_IP, "remote_ips");
	write_top(&w, sum, STATS_REMOTE_NET, "remote_networks");
	write_top(&w, sum, STATS_LOCAL_PORT, "local_ports");
	if (stats_distinct(s, STATS_OWNER)) {
		write_top(&w, sum, STATS_OWNER, "processes");
		write_groups(&w, sum, OWNER_GROUP_UNIT, "units");
		write_groups(&w, sum, OWNER_GROUP_CONTAINER, "containers");
	}
	if (sum->have_counters)
		write_kernel(&w, &sum->counters);
	jsonw_kv_uint(&w, "skipped", sum->skipped);
	jsonw_key(&w, "warnings");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < sum->report.count; i++) {
		fputc('\n', out);
		render_warning_json(&w, &sum->report.items[i]);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
