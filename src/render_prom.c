#include "render_prom.h"

#include "config.h"
#include "states.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

void render_prom_label_value(FILE *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
}

static void family_header(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The TCP states a socket can be counted in, in the order the series are written. */
static const enum tcp_state counted_states[] = {
	TCP_ST_ESTABLISHED, TCP_ST_SYN_SENT,   TCP_ST_SYN_RECV, TCP_ST_FIN_WAIT1,
	TCP_ST_FIN_WAIT2,   TCP_ST_TIME_WAIT,  TCP_ST_CLOSE,    TCP_ST_CLOSE_WAIT,
	TCP_ST_LAST_ACK,    TCP_ST_LISTEN,     TCP_ST_CLOSING,
};

static void write_connections(FILE *out, const struct snapshot *snap)
{
	/* [proto][ipv6][state]; NEW_SYN_RECV request sockets count as SYN_RECV, as ss shows them */
	size_t counts[2][2][TCP_ST_MAX] = {{{0}}};
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		unsigned int st = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
		if (c->proto > CONN_UDP || st >= TCP_ST_MAX)
			continue;
		counts[c->proto][c->family == AF_INET6][st]++;
	}
	family_header(out, "connwatch_connections", "gauge",
		      "Sockets per protocol, address family and state (lower-case netstat "
		      "spelling; unconnected UDP sockets are state closed).");
	static const char *const proto_names[2] = {"tcp", "udp"};
	static const char *const family_names[2] = {"ipv4", "ipv6"};
	for (unsigned int p = 0; p < 2; p++)
		for (unsigned int f = 0; f < 2; f++)
			for (size_t k = 0; k < sizeof(counted_states) / sizeof(counted_states[0]);
			     k++) {
				enum tcp_state st = counted_states[k];
				/* UDP sockets are only ever "established" or "closed" */
				if (p == CONN_UDP && st != TCP_ST_ESTABLISHED && st != TCP_ST_CLOSE)
					continue;
				fprintf(out,
					"connwatch_connections{proto=\"%s\",family=\"%s\","
					"state=\"%s\"} %zu\n",
					proto_names[p], family_names[f], tcp_state_label(st),
					counts[p][f][st]);
			}
}

int render_prom(FILE *out, const struct prom_model *m)
{
	write_connections(out, m->snap);

	family_header(out, "connwatch_snapshot_skipped_records", "gauge",
		      "Input records the last snapshot could not read and skipped.");
	fprintf(out, "connwatch_snapshot_skipped_records %zu\n", m->snap->skipped);

	family_header(out, "connwatch_build_info", "gauge",
		      "Always 1; the labels say which connwatch and which socket source answered.");
	fputs("connwatch_build_info{version=\"", out);
	render_prom_label_value(out, PACKAGE_VERSION);
	fputs("\",source=\"", out);
	render_prom_label_value(out, m->snap->source_name ? m->snap->source_name : "unknown");
	fputs("\"} 1\n", out);

	family_header(out, "connwatch_scrape_duration_seconds", "gauge",
		      "Time connwatch took to read the sockets and analyse them for this scrape.");
	fprintf(out, "connwatch_scrape_duration_seconds %.6f\n", m->scrape_seconds);
	return ferror(out) ? -EIO : 0;
}
