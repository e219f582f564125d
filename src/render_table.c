#include "render_table.h"

#include "i18n.h"
#include "netns.h"
#include "procmap.h"
#include "states.h"
#include "util/escape.h"
#include "util/addr.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define NETSTAT_ADDR_WIDTH  23
#define NETSTAT_STATE_WIDTH 11
/* "PID/name" of a 7-digit pid and a 15-byte task name, so the unit column mostly lines up. */
#define OWNER_WIDTH 24
#define UNIT_WIDTH  24

const char *conn_proto_name(const struct conn *c)
{
	if (c->proto == CONN_TCP)
		return c->family == AF_INET6 ? "tcp6" : "tcp";
	return c->family == AF_INET6 ? "udp6" : "udp";
}

const char *conn_state_text(const struct conn *c)
{
	if (c->proto == CONN_UDP)
		return c->state == TCP_ST_ESTABLISHED ? "ESTABLISHED" : "";
	return tcp_state_name(c->state);
}

/* Only IPv6 addresses that are not IPv4-mapped, and names from imported text, can be longer than
 * netstat's 23 columns. */
static size_t address_width(const struct snapshot *snap)
{
	size_t width = NETSTAT_ADDR_WIDTH;
	char buf[ADDR_ENDPOINT_MAX];
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		if (c->family != AF_INET6 && !c->flags)
			continue;
		size_t l = conn_format_endpoint(buf, c, false);
		size_t r = conn_format_endpoint(buf, c, true);
		if (l > width)
			width = l;
		if (r > width)
			width = r;
	}
	return width;
}

/* p holds len characters just written; pads them with blanks to width. */
static char *pad_to(char *p, size_t len, size_t width)
{
	p += len;
	while (len++ < width)
		*p++ = ' ';
	return p;
}

static char *put_padded(char *p, const char *s, size_t len, size_t width)
{
	memcpy(p, s, len);
	return pad_to(p, len, width);
}

/* Right-aligned in 6 columns like netstat's %6ld; wider numbers take the room they need. */
static char *put_number(char *p, uint32_t v)
{
	char digits[12];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (int pad = 6 - n; pad > 0; pad--)
		*p++ = ' ';
	while (n)
		*p++ = digits[--n];
	return p;
}

size_t render_table_width(const struct snapshot *snap)
{
	return address_width(snap);
}

/* Proto, queues and both addresses, padded; returns the end (the state comes next). */
static char *put_row_start(char *p, const struct conn *c, size_t width)
{
	const char *proto = conn_proto_name(c);
	p = put_padded(p, proto, strlen(proto), 5);
	*p++ = ' ';
	p = put_number(p, c->recv_q);
	*p++ = ' ';
	p = put_number(p, c->send_q);
	*p++ = ' ';
	/* Formatted in place (a row buffer always has room for the terminating NUL). */
	p = pad_to(p, conn_format_endpoint(p, c, false), width);
	*p++ = ' ';
	return pad_to(p, conn_format_endpoint(p, c, true), width);
}

size_t render_table_row(char *line, const struct conn *c, size_t width)
{
	char *p = put_row_start(line, c, width);
	const char *state = conn_state_text(c);
	size_t slen = strlen(state);
	if (slen) {
		*p++ = ' ';
		memcpy(p, state, slen);
		p += slen;
	} else {
		while (p > line && p[-1] == ' ')
			p--; /* no trailing blanks after an empty state */
	}
	*p = '\0';
	return (size_t)(p - line);
}

void render_table_header(FILE *out, size_t width)
{
	const char *local = _("Local Address"), *foreign = _("Foreign Address");
	fprintf(out, "%-5s %6s %6s %-*s %-*s %s", _("Proto"), _("Recv-Q"), _("Send-Q"), (int)width,
	        local, (int)width, foreign, _("State"));
}

size_t owner_text(const struct procmap_owner *o, char *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!o)
		return (size_t)snprintf(buf, len, "-") < len ? 1 : 0;
	int n = snprintf(buf, len, "%d/", (int)o->pid);
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n + escape_terminal(o->name, strlen(o->name), buf + n, len - (size_t)n);
}

size_t unit_text(const struct procmap_owner *o, char *buf, size_t len)
{
	char label[CGROUP_UNIT_MAX + 32];
	if (len == 0)
		return 0;
	if (!o || !cgroup_owner_label(&o->cgroup, label, sizeof(label)))
		return (size_t)snprintf(buf, len, "-") < len ? 1 : 0;
	return escape_terminal(label, strlen(label), buf, len);
}

int render_table(FILE *out, const struct snapshot *snap, bool header)
{
	return render_table_owners(out, snap, header, NULL);
}

/* The owner and unit cells of o, padded as a row with (ns) or without a namespace column has
 * them; returns the end. */
static char *put_owner_cells(char *p, const struct procmap_owner *o, bool ns)
{
	char *cell = p;
	p += owner_text(o, p, OWNER_TEXT_MAX);
	while (p < cell + OWNER_WIDTH)
		*p++ = ' ';
	*p++ = ' ';
	cell = p;
	p += unit_text(o, p, UNIT_TEXT_MAX);
	while (ns && p < cell + UNIT_WIDTH)
		*p++ = ' ';
	return p;
}

/* Every row of one process has the same owner cells: each process's are made once (the pid,
 * the escaped name, the unit's label) and copied after. Made per row they were 5% of `list -p`
 * at 224,000 sockets. Index 0 is the unknown owner, i + 1 the procmap's owner i. */
struct owner_cell {
	char *text; /* NULL: not made yet */
	size_t len;
};

struct owner_cells {
	const struct procmap *pm;
	bool ns;
	struct owner_cell *made; /* NULL when out of memory: every row makes its own */
};

static char *put_owner(char *p, struct owner_cells *oc, const struct procmap_owner *o)
{
	struct owner_cell *c =
	    oc->made ? &oc->made[o ? (size_t)(o - oc->pm->owners) + 1 : 0] : NULL;
	if (c && c->text) {
		memcpy(p, c->text, c->len);
		return p + c->len;
	}
	char *end = put_owner_cells(p, o, oc->ns);
	if (c && (c->text = malloc((size_t)(end - p)))) {
		c->len = (size_t)(end - p);
		memcpy(c->text, p, c->len);
	}
	return end;
}

static void owner_cells_free(struct owner_cells *oc)
{
	if (oc->made)
		for (size_t i = 0; i <= oc->pm->owner_count; i++)
			free(oc->made[i].text);
	free(oc->made);
}

int render_table_owners(FILE *out, const struct snapshot *snap, bool header,
                        const struct procmap *owners)
{
	int ret = 0;
	size_t width = address_width(snap);
	const struct netns_set *ns = snap->netns;
	if (header && (owners || ns)) {
		fprintf(out, "%-5s %6s %6s %-*s %-*s %-*s", _("Proto"), _("Recv-Q"), _("Send-Q"),
		        (int)width, _("Local Address"), (int)width, _("Foreign Address"),
		        NETSTAT_STATE_WIDTH, _("State"));
		if (owners)
			fprintf(out, " %-*s %-*s", OWNER_WIDTH, _("PID/Program name"),
			        ns ? UNIT_WIDTH : 0, _("Unit/Container"));
		if (ns)
			fprintf(out, " %s", _("Netns"));
		fputc('\n', out);
	} else if (header) {
		render_table_header(out, width);
		fputc('\n', out);
	}
	/* Lines are built straight into a 64 KiB block that goes out in one fwrite: one stdio call
	 * per line was a tenth of the user time at 235,000 rows. */
	enum {
		ROW_MAX = RENDER_TABLE_LINE_MAX + OWNER_TEXT_MAX + 1 + UNIT_TEXT_MAX + 1 +
		          4 * NETNS_LABEL_MAX + 1
	};
	char block[1 << 16];
	size_t used = 0;
	struct owner_cells oc = {.pm = owners, .ns = ns != NULL};
	if (owners)
		oc.made = calloc(owners->owner_count + 1, sizeof(*oc.made));
	for (size_t i = 0; i < snap->count; i++) {
		if (sizeof(block) - used < ROW_MAX) {
			if (fwrite(block, 1, used, out) != used) {
				ret = -EIO;
				break;
			}
			used = 0;
		}
		if (owners && i + PROCMAP_PREFETCH_AHEAD < snap->count)
			procmap_prefetch(owners, snap->conns[i + PROCMAP_PREFETCH_AHEAD].inode);
		const struct conn *c = &snap->conns[i];
		char *line = block + used;
		size_t n;
		if (owners || ns) {
			char *p = put_row_start(line, c, width);
			const char *state = conn_state_text(c);
			*p++ = ' ';
			p = put_padded(p, state, strlen(state), NETSTAT_STATE_WIDTH);
			if (owners) {
				*p++ = ' ';
				p = put_owner(p, &oc, procmap_owner_of(owners, c->inode));
			}
			if (ns) {
				const char *label = netns_label(ns, c->netns);
				*p++ = ' ';
				p += escape_terminal(label, strlen(label), p, 4 * NETNS_LABEL_MAX);
			}
			while (p > line && p[-1] == ' ')
				p--;
			n = (size_t)(p - line);
		} else {
			n = render_table_row(line, c, width);
		}
		line[n++] = '\n';
		used += n;
	}
	owner_cells_free(&oc);
	if (ret == 0 && used && fwrite(block, 1, used, out) != used)
		ret = -EIO;
	return ret == 0 && ferror(out) ? -EIO : ret;
}
