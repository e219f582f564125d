/* The saved-text source: what an operator pasted from `netstat -ntu[a]`, `ss -tan[u]` or
 * `watch` on another server. The parser is line-based and token-based (columns are ragged), it
 * recognises the three table shapes by their first tokens, and it joins a row that a terminal
 * wrapped onto two lines. */
#include "source.h"
#include "source_text.h"

#include "i18n.h"
#include "util/escape.h"
#include "util/grow.h"
#include "util/addr.h"
#include "util/lineread.h"
#include "util/names.h"
#include "util/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NETSTAT_ENDPOINT_WIDTH 23
#define MAX_TOKENS             16 /* the columns we read; later ones are ignored */
#define SERVICES_PATH          "/etc/services"

struct token {
	const char *s;
	size_t len;
};

struct tokens {
	struct token t[MAX_TOKENS];
	unsigned int n; /* tokens stored; at most MAX_TOKENS */
};

static void tokenize(const char *line, size_t len, struct tokens *out)
{
	const char *p = line, *end = line + len;
	out->n = 0;
	for (;;) {
		parse_blanks(&p, end);
		if (p >= end || out->n == MAX_TOKENS)
			return;
		const char *start = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		out->t[out->n++] = (struct token){start, (size_t)(p - start)};
	}
}

static bool token_is(const struct token *t, const char *word)
{
	size_t n = strlen(word);
	return t->len == n && strncasecmp(t->s, word, n) == 0;
}

static bool token_in(const struct token *t, const char *const *words)
{
	for (; *words; words++)
		if (token_is(t, *words))
			return true;
	return false;
}

static bool token_starts(const struct token *t, const char *prefix)
{
	size_t n = strlen(prefix);
	return t->len >= n && strncmp(t->s, prefix, n) == 0;
}

/* A state in netstat spelling (ESTABLISHED, SYN_RECV, CLOSE), ss spelling (ESTAB, SYN-RECV) or
 * ss's UNCONN for UDP. Returns the state or TCP_ST_UNKNOWN. */
static enum tcp_state token_state(const struct token *t)
{
	char name[24];
	if (t->len == 0 || t->len >= sizeof(name))
		return TCP_ST_UNKNOWN;
	memcpy(name, t->s, t->len);
	name[t->len] = '\0';
	if (!strcasecmp(name, "UNCONN"))
		return TCP_ST_CLOSE;
	return tcp_state_parse(name);
}

/* First tokens that start a header line: watch's "Every 2.0s: ...", netstat's "Active Internet
 * connections (w/o servers)" (wrapped: "connections (...)" on a line of its own), netstat's
 * "Proto Recv-Q ..." and ss's "Netid State ..." / "State Recv-Q ...". */
static const char *const header_words[] = {"Active", "connections", "Proto",
                                           "Netid",  "State",       NULL};

/* Socket kinds that netstat -a or ss -a list besides TCP and UDP (ss's netids, "???" for one it
 * cannot name; netstat's Bluetooth section: l2cap, rfcomm), and what the tools print on stderr
 * when a kind is missing from the kernel ("RTNETLINK answers: Invalid argument", "netstat: no
 * support for `AF IPX' on this system.", pasted with 2>&1): not connections we count, skipped
 * quietly and counted in one note. */
static const char *const other_kinds[] = {
    "unix",  "raw",   "raw6",   "udpl",      "udpl6",     "u_str",    "u_dgr", "u_seq",
    "nl",    "p_raw", "p_dgr",  "mptcp",     "sctp",      "tipc",     "ti_st", "ti_dg",
    "ti_rd", "ti_sq", "v_str",  "v_dgr",     "v_seq",     "xdp",      "icmp",  "icmp6",
    "dccp",  "?",     "???",    "ax25",      "netrom",    "rose",     "x25",   "ipx",
    "ddp",   "l2cap", "rfcomm", "bluetooth", "RTNETLINK", "netstat:", NULL};

struct endpoint {
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for "*" */
	uint8_t addr[16];
	uint16_t port;
	const char *name; /* a host name (interned; family AF_UNSPEC), or NULL */
	bool named;       /* a host or service name was read */
	bool bracketed;   /* "[...]": ss's IPv6 notation */
};

/* A host name as netstat and ss print it, possibly cut to the column: letters, digits, dots,
 * hyphens, underscores. Anything else (a colon, a control byte) is not a name. */
static bool is_ascii_alpha(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static bool is_ascii_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

static bool is_host_name(const char *s, size_t n)
{
	bool letter = false;
	if (n == 0 || n >= ADDR_TEXT_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (is_ascii_alpha(ch) || ch == '-' || ch == '_')
			letter = true;
		else if (!is_ascii_digit(ch) && ch != '.')
			return false;
	}
	return letter; /* "999.1.1.1" is a bad address, not a name (RFC 1123: no all-numeric name)
	                */
}

/* A service name from /etc/services: "http-alt", "z39.50", "ipv6-icmp". It has a letter, or it
 * would be a port number. */
static bool is_service_name(const char *s, size_t n)
{
	bool letter = false;
	if (n == 0 || n >= SERVICES_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (is_ascii_alpha(ch))
			letter = true;
		else if (!is_ascii_digit(ch) && ch != '.' && ch != '-' && ch != '_' && ch != '+')
			return false;
	}
	return letter;
}

static int service_port(struct text_context *ctx, const char *s, size_t n, int proto)
{
	if (!ctx)
		return -1;
	if (!ctx->table) {
		services_load(&ctx->services,
		              ctx->services_path ? ctx->services_path : SERVICES_PATH);
		ctx->table = &ctx->services;
	}
	/* Most names are the same port for both; ss without Netid does not say which it is. */
	int port = services_port(ctx->table, s, n, proto == CONN_UDP ? SERVICES_UDP : SERVICES_TCP);
	if (port < 0)
		port = services_port(ctx->table, s, n,
		                     proto == CONN_UDP ? SERVICES_TCP : SERVICES_UDP);
	return port;
}

/* The interned copy of a name; a capture with more distinct names than the pool holds gets one
 * shared stand-in for the rest, so counting goes on. */
static const char *intern_name(struct text_context *ctx, const char *s, size_t n)
{
	static const char overflow[] = "(more-names)";
	struct snapshot *snap = ctx->snap;
	if (!snap->names) {
		snap->names = malloc(sizeof(*snap->names));
		if (!snap->names)
			return overflow;
		names_init(snap->names);
	}
	const char *name = names_intern(snap->names, s, n);
	return name ? name : overflow;
}

/* "1.2.3.4:80", "::1:631" (netstat), "[::1]:631" (ss), "[fe80::1%eth0]:22", "[fe80::1]%eth0:123",
 * "0.0.0.0%lo:53", "*:*", ":::*", and names: "localhost:smtp", "[::]:ssh", "*%ens33:ipv6-icmp",
 * "localhost.localdoma:ssh" (netstat cuts a long host name to its column). The port follows the
 * last colon; "*" is port 0 (netstat's "any"). proto picks the service table (tcp or udp). */
static bool parse_endpoint(struct text_context *ctx, const struct token *t, int proto,
                           struct endpoint *e)
{
	const char *colon = NULL;
	for (const char *p = t->s + t->len; p > t->s; p--)
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	if (!colon)
		return false;
	memset(e, 0, sizeof(*e));
	const char *port = colon + 1, *end = t->s + t->len;
	const char *service = NULL;
	if (end - port == 1 && *port == '*') {
		e->port = 0;
	} else {
		uint64_t v;
		const char *p = port;
		if (parse_dec(&p, end, &v) && p == end && v <= 65535) {
			e->port = (uint16_t)v;
		} else if (ctx && ctx->snap && is_service_name(port, (size_t)(end - port))) {
			int n = service_port(ctx, port, (size_t)(end - port), proto);
			if (n < 0)
				service = port; /* kept as a name: this machine does not know it */
			else
				e->port = (uint16_t)n;
			e->named = true;
		} else {
			return false;
		}
	}
	/* The host, without a scope or device: "%eth0" inside or after the brackets. */
	char text[ADDR_TEXT_MAX + 2];
	size_t n = 0;
	for (const char *a = t->s; a < colon;) {
		if (*a == '%') {
			while (a < colon && *a != ']')
				a++;
			continue;
		}
		if (n == sizeof(text) - 1)
			return false;
		text[n++] = *a++;
	}
	text[n] = '\0';
	char *host = text;
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		host++;
		text[--n] = '\0';
		n--;
		e->bracketed = true;
	}
	if (n == 0)
		return false;
	if (!strcmp(host, "*")) {
		e->family = AF_UNSPEC;
	} else if (inet_pton(AF_INET, host, e->addr) == 1) {
		e->family = AF_INET;
	} else if (inet_pton(AF_INET6, host, e->addr) == 1) {
		e->family = AF_INET6;
	} else if (ctx && ctx->snap && is_host_name(host, n)) {
		e->family = AF_UNSPEC;
		e->name = intern_name(ctx, host, n);
		e->named = true;
	} else {
		return false;
	}
	if (service) {
		/* "host:service" stays one name (the host as printed, "*" for any). */
		char whole[ADDR_TEXT_MAX]; /* cut to fit like any name */
		int w =
		    snprintf(whole, sizeof(whole), "%s:%.*s", host, (int)(end - service), service);
		if (w < 0)
			return false;
		size_t wl = (size_t)w < sizeof(whole) ? (size_t)w : sizeof(whole) - 1;
		e->name = intern_name(ctx, whole, wl);
		e->family = AF_UNSPEC;
		e->port = 0;
		memset(e->addr, 0, sizeof(e->addr));
	}
	return true;
}

/* Stores an endpoint in the row's family: an IPv4 text on an IPv6 socket (netstat shows tcp6
 * rows with IPv4-mapped addresses as a.b.c.d) becomes ::ffff:a.b.c.d, as the kernel holds it. A
 * name is stored as itself (conn_set_name) and flagged. */
static bool store_endpoint(const struct endpoint *e, int family, struct conn *c, bool remote)
{
	uint8_t *addr = remote ? c->remote_addr : c->local_addr;
	*(remote ? &c->remote_port : &c->local_port) = e->port;
	memset(addr, 0, 16);
	if (e->name) {
		addr_set_name(addr, e->name);
		c->flags |= remote ? CONN_REMOTE_NAMED : CONN_LOCAL_NAMED;
		return true;
	}
	if (e->family == AF_UNSPEC)
		return true;
	if (e->family == family) {
		memcpy(addr, e->addr, family == AF_INET ? 4 : 16);
		return true;
	}
	if (e->family == AF_INET && family == AF_INET6) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, e->addr, 4);
		return true;
	}
	return false; /* an IPv6 address on a "tcp" row */
}

static bool parse_u32(const struct token *t, uint32_t *out)
{
	const char *p = t->s;
	uint64_t v;
	if (!parse_dec(&p, t->s + t->len, &v) || p != t->s + t->len || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static enum text_line_kind bad(struct text_problem *why, const char *field, const struct token *t)
{
	why->field = field;
	why->token = t ? t->s : NULL;
	why->token_len = t ? t->len : 0;
	return TEXT_BAD;
}

/* The family of an ss row, from its addresses: IPv6 when either is, or when a name is written in
 * brackets ("[::]:ssh" is read as an address; "[ip6-localhost]" is not printed by ss, but a
 * bracket only ever surrounds IPv6). */
static int family_of(const struct endpoint ep[2])
{
	for (int i = 0; i < 2; i++)
		if (ep[i].family == AF_INET6 || (ep[i].name && ep[i].bracketed))
			return AF_INET6;
	for (int i = 0; i < 2; i++)
		if (ep[i].family == AF_INET || ep[i].name)
			return AF_INET;
	return AF_INET6; /* "*:*": ss shows a dual-stack socket so */
}

/* The columns shared by every shape, from where they start: Recv-Q Send-Q Local Peer. `first`
 * is the index of Recv-Q; `family` is AF_INET/AF_INET6 when the proto says it (netstat), or
 * AF_UNSPEC to take it from the addresses (ss). `needed` is how many tokens make a full row; a
 * shorter line is INCOMPLETE when the tokens it has, but the last (which a wrap may have cut),
 * are valid. */
static enum text_line_kind parse_columns(struct text_context *ctx, const struct tokens *tk,
                                         unsigned int first, int family, unsigned int needed,
                                         struct conn *c, struct text_problem *why)
{
	static const char *const fields[] = {N_("Recv-Q"), N_("Send-Q"), N_("local address"),
	                                     N_("foreign address")};
	bool incomplete = tk->n < needed;
	unsigned int check_until = incomplete ? tk->n - 1 : first + 4;
	uint32_t q;
	struct endpoint ep[2];
	memset(ep, 0, sizeof(ep));
	for (unsigned int i = first; i < check_until && i < first + 4; i++) {
		const struct token *t = &tk->t[i];
		unsigned int col = i - first;
		bool ok =
		    col < 2 ? parse_u32(t, &q) : parse_endpoint(ctx, t, c->proto, &ep[col - 2]);
		if (!ok)
			return bad(why, fields[col], t);
		if (col == 0)
			c->recv_q = q;
		else if (col == 1)
			c->send_q = q;
	}
	if (incomplete)
		return TEXT_INCOMPLETE;
	if (family == AF_UNSPEC)
		family = family_of(ep);
	c->family = (uint8_t)family;
	if (!store_endpoint(&ep[0], family, c, false))
		return bad(why, fields[2], &tk->t[first + 2]);
	if (!store_endpoint(&ep[1], family, c, true))
		return bad(why, fields[3], &tk->t[first + 3]);
	why->read_names = ep[0].named || ep[1].named;
	return TEXT_ROW;
}

/* "1234/nginx" (netstat -p): the pid and the program; "-" when netstat could not see it. */
static bool parse_pid_program(const struct token *t, struct text_row *row)
{
	const char *slash = memchr(t->s, '/', t->len);
	if (!slash)
		return false;
	const char *p = t->s;
	uint64_t pid;
	if (!parse_dec(&p, slash, &pid) || p != slash || pid == 0 || pid > INT32_MAX)
		return false;
	row->pid = (int32_t)pid;
	size_t n = (size_t)(t->s + t->len - slash - 1);
	if (n >= sizeof(row->program))
		n = sizeof(row->program) - 1;
	memcpy(row->program, slash + 1, n);
	row->program[n] = '\0';
	return true;
}

/* netstat's extra columns after State, in its order: User Inode PID/Program Timer. Without a
 * header to say which are there, only the unmistakable "PID/Program" is read. */
static void parse_netstat_extras(const struct text_context *ctx, const struct tokens *tk,
                                 unsigned int i, struct text_row *row)
{
	unsigned cols = ctx ? ctx->netstat_columns : 0;
	if (!cols) {
		for (; i < tk->n; i++)
			if (parse_pid_program(&tk->t[i], row))
				return;
		return;
	}
	if ((cols & TEXT_COL_USER) && i < tk->n) {
		uint32_t uid;
		if (parse_u32(&tk->t[i], &uid)) /* a user name is the saving machine's: not kept */
			row->c.uid = uid;
		i++;
	}
	if ((cols & TEXT_COL_INODE) && i < tk->n) {
		uint32_t ino;
		if (parse_u32(&tk->t[i], &ino))
			row->c.inode = ino;
		i++;
	}
	if ((cols & TEXT_COL_PID) && i < tk->n)
		parse_pid_program(&tk->t[i], row);
}

/* netstat: Proto Recv-Q Send-Q Local Foreign State [extras]. UDP has an empty State unless
 * connected ("ESTABLISHED"); TCP always has one. */
static enum text_line_kind parse_netstat_row(struct text_context *ctx, const struct tokens *tk,
                                             struct text_row *row, struct text_problem *why)
{
	struct conn *c = &row->c;
	const struct token *proto = &tk->t[0];
	bool udp = token_is(proto, "udp") || token_is(proto, "udp6");
	bool v6 = token_is(proto, "tcp6") || token_is(proto, "udp6");
	c->proto = udp ? CONN_UDP : CONN_TCP;
	enum text_line_kind k =
	    parse_columns(ctx, tk, 1, v6 ? AF_INET6 : AF_INET, udp ? 5 : 6, c, why);
	if (k != TEXT_ROW)
		return k;
	/* netstat (net-tools) without -W cuts "address:port" to 23 characters by shortening the
	 * address; only IPv6 text gets that long. */
	why->maybe_truncated = !why->read_names && (tk->t[3].len == NETSTAT_ENDPOINT_WIDTH ||
	                                            tk->t[4].len == NETSTAT_ENDPOINT_WIDTH);
	enum tcp_state st = tk->n > 5 ? token_state(&tk->t[5]) : TCP_ST_UNKNOWN;
	if (udp) {
		/* A sixth token that is no state is an extra column (-p, -e): no state shown. */
		c->state = st == TCP_ST_ESTABLISHED ? TCP_ST_ESTABLISHED : TCP_ST_CLOSE;
		parse_netstat_extras(ctx, tk, st == TCP_ST_ESTABLISHED ? 6 : 5, row);
		return TEXT_ROW;
	}
	if (st == TCP_ST_UNKNOWN)
		return bad(why, N_("state"), &tk->t[5]);
	c->state = (uint8_t)st;
	parse_netstat_extras(ctx, tk, 6, row);
	return TEXT_ROW;
}

/* ss -p: users:(("nginx",pid=12,fd=3),...): the first process. The name is quoted and may hold
 * blanks, so it is looked for in the line, not in the tokens. */
static void parse_ss_users(const char *line, size_t len, struct text_row *row)
{
	static const char open[] = "users:((\"";
	const char *end = line + len;
	const char *p = memmem(line, len, open, sizeof(open) - 1);
	if (!p)
		return;
	const char *name = p + sizeof(open) - 1;
	const char *q = memmem(name, (size_t)(end - name), "\",pid=", 6);
	if (!q)
		return;
	const char *num = q + 6;
	uint64_t pid;
	if (!parse_dec(&num, end, &pid) || pid == 0 || pid > INT32_MAX)
		return;
	row->pid = (int32_t)pid;
	size_t n = (size_t)(q - name);
	if (n >= sizeof(row->program))
		n = sizeof(row->program) - 1;
	memcpy(row->program, name, n);
	row->program[n] = '\0';
}

/* ss -e: "uid:1000 ino:4242 sk:..." after the addresses. */
static void parse_ss_extras(const char *line, size_t len, const struct tokens *tk, unsigned int i,
                            struct text_row *row)
{
	for (; i < tk->n; i++) {
		const struct token *t = &tk->t[i];
		struct token v = {t->s + 4, t->len > 4 ? t->len - 4 : 0};
		if (token_starts(t, "ino:"))
			parse_u32(&v, &row->c.inode);
		else if (token_starts(t, "uid:"))
			parse_u32(&v, &row->c.uid);
	}
	parse_ss_users(line, len, row);
}

/* ss: [Netid] State Recv-Q Send-Q Local:Port Peer:Port [extras]. Without the Netid column (ss -tan,
 * ss -uan) a UNCONN row is UDP and any TCP-only state is TCP; an ESTAB row is ambiguous and the
 * reader decides it with the rest of the table. */
static enum text_line_kind parse_ss_row(struct text_context *ctx, const char *line, size_t len,
                                        const struct tokens *tk, bool has_netid,
                                        struct text_row *row, struct text_problem *why)
{
	struct conn *c = &row->c;
	unsigned int s = has_netid ? 1 : 0;
	if (tk->n <= s)
		return TEXT_INCOMPLETE;
	enum tcp_state st = token_state(&tk->t[s]);
	if (st == TCP_ST_UNKNOWN)
		return tk->n == s + 1 ? TEXT_INCOMPLETE : bad(why, N_("state"), &tk->t[s]);
	bool udp = has_netid ? token_is(&tk->t[0], "udp") : token_is(&tk->t[s], "UNCONN");
	row->proto_ambiguous = !has_netid && st == TCP_ST_ESTABLISHED;
	c->proto = udp ? CONN_UDP : CONN_TCP;
	c->state = (uint8_t)(udp && st != TCP_ST_ESTABLISHED ? TCP_ST_CLOSE : st);
	enum text_line_kind k = parse_columns(ctx, tk, s + 1, AF_UNSPEC, s + 5, c, why);
	if (k != TEXT_ROW)
		return k;
	if (c->state == TCP_ST_LISTEN && c->proto == CONN_TCP) {
		/* ss shows a listener's backlog limit as Send-Q; netstat shows 0 there. */
		c->backlog = c->send_q;
		c->send_q = 0;
	}
	parse_ss_extras(line, len, tk, s + 5, row);
	return k;
}

/* netstat's header says which extra columns follow State (-e: User Inode, -p: PID/Program name,
 * -o: Timer). Its UNIX-socket header ("Proto RefCnt Flags ...") has none. */
static void read_netstat_header(struct text_context *ctx, const struct tokens *tk)
{
	if (!ctx || tk->n < 2 || !token_is(&tk->t[1], "Recv-Q"))
		return;
	unsigned cols = 0;
	for (unsigned int i = 2; i < tk->n; i++) {
		const struct token *t = &tk->t[i];
		if (token_is(t, "User"))
			cols |= TEXT_COL_USER;
		else if (token_is(t, "Inode"))
			cols |= TEXT_COL_INODE;
		else if (token_starts(t, "PID/"))
			cols |= TEXT_COL_PID;
		else if (token_is(t, "Timer"))
			cols |= TEXT_COL_TIMER;
	}
	ctx->netstat_columns = cols;
}

enum text_line_kind text_parse_line(struct text_context *ctx, const char *line, size_t len,
                                    struct text_row *row, struct text_problem *why)
{
	struct tokens tk;
	memset(row, 0, sizeof(*row));
	struct conn *c = &row->c;
	c->uid = CONN_UNKNOWN_U32; /* shown only by -e */
	c->idle_ms = CONN_UNKNOWN_U32;
	*why = (struct text_problem){0};
	tokenize(line, len, &tk);
	if (tk.n == 0)
		return TEXT_IGNORED;
	const struct token *first = &tk.t[0];
	/* netstat -p without root says so before its table, in parentheses, over one or two
	 * lines: "(Not all processes could be identified, non-owned process info\n will not be
	 * shown, ...)" or "(No info could be read for "-p": ...)". Its wrapped rest is skipped
	 * as the rest of a title is. */
	if (token_is(first, "Every") || first->s[0] == '(')
		return TEXT_TITLE;
	if (token_is(first, "Proto"))
		read_netstat_header(ctx, &tk);
	if (token_in(first, header_words))
		return TEXT_IGNORED;
	if (token_in(first, other_kinds))
		return TEXT_OTHER_KIND;
	bool inet = token_is(first, "tcp") || token_is(first, "udp");
	if (inet || token_is(first, "tcp6") || token_is(first, "udp6")) {
		/* netstat's second column is a number, ss's (with Netid: tcp, udp) a state. */
		if (inet && tk.n > 1 && token_state(&tk.t[1]) != TCP_ST_UNKNOWN)
			return parse_ss_row(ctx, line, len, &tk, true, row, why);
		return parse_netstat_row(ctx, &tk, row, why);
	}
	if (token_state(first) != TCP_ST_UNKNOWN)
		return parse_ss_row(ctx, line, len, &tk, false, row, why);
	return bad(why, N_("protocol"), first);
}

void text_context_init(struct text_context *ctx, struct snapshot *snap)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->snap = snap;
}

void text_context_free(struct text_context *ctx)
{
	services_free(&ctx->services);
}

#define TABLE_PROTO_UNKNOWN 0xff

int text_reader_init(struct text_reader *r, const char *name, const struct source_request *req,
                     struct snapshot *snap)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->req = req;
	r->table_proto = TABLE_PROTO_UNKNOWN;
	text_context_init(&r->ctx, snap);
	return 0;
}

void text_reader_free(struct text_reader *r)
{
	text_context_free(&r->ctx);
	free(r->held);
	r->held = NULL;
	r->held_cap = 0;
}

static void note_bad(struct text_reader *r, struct snapshot *snap, unsigned long lineno,
                     const struct text_problem *why)
{
	snap->skipped++;
	if (!why->token) {
		snapshot_add_note(snap, _("%s:%lu: malformed line (%s), skipped"), r->name, lineno,
		                  _(why->field));
		return;
	}
	/* The token is quoted escaped and cut short: it may hold anything. */
	char shown[48];
	size_t n = why->token_len > 32 ? 32 : why->token_len;
	escape_terminal(why->token, n, shown, sizeof(shown));
	snapshot_add_note(snap, _("%s:%lu: malformed line (%s '%s%s'), skipped"), r->name, lineno,
	                  _(why->field), shown, n < why->token_len ? "..." : "");
}

static bool is_blank(const char *line, size_t len)
{
	const char *p = line;
	parse_blanks(&p, line + len);
	return p == line + len;
}

static bool wanted(const struct source_request *req, const struct conn *c)
{
	if (!req)
		return true;
	if ((c->family == AF_INET && !req->ipv4) || (c->family == AF_INET6 && !req->ipv6))
		return false;
	if (c->proto == CONN_UDP)
		return req->udp;
	return (req->tcp_states & TCP_STATE_BIT(c->state)) != 0;
}

/* The handle of the row's process in snap->owners, 0 when the row names none (netstat's "-")
 * or the table is full. */
static uint16_t owner_handle(struct snapshot *snap, const struct text_row *row)
{
	if (row->pid <= 0)
		return 0;
	if (!snap->owners) {
		snap->owners = malloc(sizeof(*snap->owners));
		if (!snap->owners)
			return 0;
		pidnames_init(snap->owners);
	}
	return pidnames_add(snap->owners, row->pid, row->program, strlen(row->program));
}

static int emit(struct text_reader *r, struct snapshot *snap, const struct text_row *row)
{
	r->connections++;
	if (!wanted(r->req, &row->c))
		return 0;
	struct conn c = row->c;
	c.owner = owner_handle(snap, row);
	return snapshot_add_conn(snap, &c);
}

/* An ss table without Netid is one protocol (ss prints Netid when it lists more than one). Its
 * ESTAB rows wait until a UNCONN row (UDP) or a TCP-only state tells which; a table of only
 * ESTAB rows, or more of them than can be held, is TCP (`ss -tn` shows just such a table). */
static int release_held(struct text_reader *r, struct snapshot *snap, uint8_t proto)
{
	int ret = 0;
	for (size_t i = 0; i < r->held_count && ret == 0; i++) {
		r->held[i].c.proto = proto;
		ret = emit(r, snap, &r->held[i]);
	}
	r->held_count = 0;
	return ret;
}

static int end_table(struct text_reader *r, struct snapshot *snap)
{
	int ret = release_held(r, snap, CONN_TCP);
	r->table_proto = TABLE_PROTO_UNKNOWN;
	return ret;
}

static int add_row(struct text_reader *r, struct snapshot *snap, const struct text_row *row)
{
	if (!row->proto_ambiguous)
		return emit(r, snap, row);
	if (r->table_proto != TABLE_PROTO_UNKNOWN) {
		struct text_row known = *row;
		known.c.proto = r->table_proto;
		return emit(r, snap, &known);
	}
	if (r->held_count == TEXT_HELD_ROWS_MAX) {
		r->table_proto = CONN_TCP;
		int ret = release_held(r, snap, CONN_TCP);
		return ret ? ret : add_row(r, snap, row);
	}
	/* Held rows grow with the table, so a capture without such a table (most) holds none. */
	if (r->held_count == r->held_cap) {
		size_t cap = grow_capacity(r->held_cap, r->held_count + 1, 64);
		if (cap > TEXT_HELD_ROWS_MAX)
			cap = TEXT_HELD_ROWS_MAX;
		if (grow_array(&r->held, cap, sizeof(*r->held)) < 0)
			return -ENOMEM;
		r->held_cap = cap;
	}
	r->held[r->held_count++] = *row;
	return 0;
}

/* A row of an ss table without Netid that is not ESTAB tells the table's protocol. */
static int learn_table_proto(struct text_reader *r, struct snapshot *snap,
                             const struct text_row *row, bool netid_less)
{
	if (!netid_less || row->proto_ambiguous || r->table_proto != TABLE_PROTO_UNKNOWN)
		return 0;
	r->table_proto = row->c.proto;
	return release_held(r, snap, row->c.proto);
}

/* The first token of a no-Netid ss row is its state. */
static bool is_netid_less(const char *line, size_t len)
{
	struct tokens tk;
	tokenize(line, len, &tk);
	return tk.n && token_state(&tk.t[0]) != TCP_ST_UNKNOWN;
}

static int accept_row(struct text_reader *r, struct snapshot *snap, const char *line, size_t len,
                      const struct text_row *row, const struct text_problem *why)
{
	if (why->read_names && !r->warned_names) {
		r->warned_names = true;
		snapshot_add_note(snap,
		                  _("%s:%lu: host and service names were read, not addresses "
		                    "(netstat -n or ss -n prints addresses)"),
		                  r->name, r->lineno);
	}
	int ret = learn_table_proto(r, snap, row, is_netid_less(line, len));
	return ret ? ret : add_row(r, snap, row);
}

/* Tries the pending row joined with this line: first as a wrap between columns (a blank in
 * between), then as a wrap inside a column. Returns 1 when the join made a row. */
static int try_join(struct text_reader *r, const char *line, size_t len, struct snapshot *snap)
{
	char joined[2 * TEXT_LINE_MAX + 2];
	struct text_row row;
	struct text_problem why;
	for (int blank = 1; blank >= 0; blank--) {
		size_t n = r->pending_len;
		memcpy(joined, r->pending, n);
		if (blank)
			joined[n++] = ' ';
		memcpy(joined + n, line, len);
		n += len;
		if (text_parse_line(&r->ctx, joined, n, &row, &why) == TEXT_ROW) {
			r->pending_len = 0;
			r->after_row = true;
			int ret = accept_row(r, snap, joined, n, &row, &why);
			return ret < 0 ? ret : 1;
		}
	}
	return 0;
}

static void report_pending(struct text_reader *r, struct snapshot *snap)
{
	if (!r->pending_len)
		return;
	struct text_problem why = {.field = N_("incomplete row")};
	note_bad(r, snap, r->pending_lineno, &why);
	r->pending_len = 0;
}

int text_reader_line(struct text_reader *r, const char *line, size_t len, struct snapshot *snap)
{
	r->lineno++;
	if (len && line[len - 1] == '\r')
		len--; /* pasted from a Windows terminal */
	if (memchr(line, '\0', len)) {
		report_pending(r, snap);
		struct text_problem why = {.field = N_("binary data")};
		note_bad(r, snap, r->lineno, &why);
		return 0;
	}
	if (r->pending_len) {
		int j = try_join(r, line, len, snap);
		if (j != 0)
			return j < 0 ? j : 0;
		report_pending(r, snap);
	}
	struct text_row row;
	struct text_problem why;
	enum text_line_kind kind = text_parse_line(&r->ctx, line, len, &row, &why);
	if (r->in_title && (kind == TEXT_BAD || kind == TEXT_INCOMPLETE))
		return 0; /* the rest of watch's title, wrapped by the terminal it was copied from
		           */
	r->in_title = kind == TEXT_TITLE;
	/* ss -e, -i, -m and -o print details on an indented line under each row ("\t skmem:(...)
	 * cubic ..."), also under the rows of other kinds (sctp, u_str); a terminal-wrapped
	 * Process column also lands under its row. */
	bool indented = len && (line[0] == '\t' || line[0] == ' ');
	if (r->after_row && indented && kind == TEXT_BAD)
		return 0;
	if (kind != TEXT_IGNORED || !is_blank(line, len))
		r->after_row = kind == TEXT_ROW || kind == TEXT_OTHER_KIND;
	if (kind == TEXT_ROW && why.maybe_truncated && !r->warned_truncation) {
		r->warned_truncation = true;
		snapshot_add_note(snap,
		                  _("%s:%lu: netstat may have cut this IPv6 address short (it does "
		                    "without -W); rows are read as printed"),
		                  r->name, r->lineno);
	}
	switch (kind) {
	case TEXT_ROW:
		return accept_row(r, snap, line, len, &row, &why);
	case TEXT_OTHER_KIND:
		r->other_kinds++;
		return 0;
	case TEXT_IGNORED:
	case TEXT_TITLE:
		/* A header or a title starts another table. */
		return is_blank(line, len) ? 0 : end_table(r, snap);
	case TEXT_INCOMPLETE:
		memcpy(r->pending, line, len);
		r->pending_len = len;
		r->pending_lineno = r->lineno;
		return 0;
	case TEXT_BAD:
		note_bad(r, snap, r->lineno, &why);
		return 0;
	}
	return 0;
}

void text_reader_overlong(struct text_reader *r, struct snapshot *snap)
{
	r->lineno++;
	report_pending(r, snap);
	struct text_problem why = {.field = N_("line too long")};
	note_bad(r, snap, r->lineno, &why);
}

int text_reader_finish(struct text_reader *r, struct snapshot *snap)
{
	report_pending(r, snap);
	int ret = end_table(r, snap);
	if (r->other_kinds)
		snapshot_add_note(
		    snap,
		    _("%s: other socket kinds (UNIX, raw, netlink...) skipped, lines: "
		      "%lu"),
		    r->name, r->other_kinds);
	return ret;
}

int text_parse_buffer(const char *name, const char *buf, size_t len,
                      const struct source_request *req, const struct services *services,
                      struct snapshot *snap)
{
	struct text_reader *r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	int ret = text_reader_init(r, name, req, snap);
	r->ctx.table = services;
	const char *p = buf, *end = buf + len;
	while (p < end && ret == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if ((size_t)(eol - p) > TEXT_LINE_MAX)
			text_reader_overlong(r, snap);
		else
			ret = text_reader_line(r, p, (size_t)(eol - p), snap);
		p = nl ? nl + 1 : end;
	}
	if (ret == 0)
		ret = text_reader_finish(r, snap);
	text_reader_free(r);
	free(r);
	return ret;
}

static int text_fill(const struct source_request *req, struct snapshot *snap, struct cw_error *err)
{
	if (!req->input_path)
		return cw_error_set(err, -EINVAL, "%s", _("no input file given"));
	bool use_stdin = !strcmp(req->input_path, "-");
	FILE *in = use_stdin ? stdin : fopen(req->input_path, "re");
	if (!in)
		return cw_error_set(err, -errno, _("cannot open %s: %s"), req->input_path,
		                    strerror(errno));
	snap->source_name = "text";
	struct text_reader *r = calloc(1, sizeof(*r));
	char *line = malloc(TEXT_LINE_MAX);
	int ret = 0;
	if (!r || !line || text_reader_init(r, use_stdin ? "stdin" : req->input_path, req, snap)) {
		ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	size_t n;
	enum line_read_result got;
	/* A longer line is read and dropped, so a hostile file cannot make us hold it; one with
	 * no end at all (/dev/zero) stops the read. */
	while ((got = line_read(in, line, TEXT_LINE_MAX, &n)) != LINE_READ_EOF) {
		if (got == LINE_READ_RUNAWAY) {
			ret = cw_error_set(
			    err, -EFBIG, _("%s:%lu: no line end within %u MiB: not a socket table"),
			    r->name, r->lineno + 1, LINE_RUNAWAY_MAX >> 20);
			goto out;
		}
		if (got == LINE_READ_LONG) {
			text_reader_overlong(r, snap);
			continue;
		}
		if ((ret = text_reader_line(r, line, n, snap)) < 0)
			goto failed;
	}
	if (ferror(in)) {
		ret = cw_error_set(err, -EIO, _("cannot read %s: %s"), r->name, strerror(errno));
		goto out;
	}
	if ((ret = text_reader_finish(r, snap)) < 0)
		goto failed;
	/* `netstat -s`, a greeting, an empty file: nothing to diagnose is not "no warning signs".
	 */
	if (!r->connections)
		ret = cw_error_set(err, -ENODATA, _("no connection lines found in %s"), r->name);
	goto out;
failed:
	ret = cw_error_set(err, ret, "%s", ret == -ENOMEM ? _("out of memory") : strerror(-ret));
out:
	if (r)
		text_reader_free(r);
	free(line);
	free(r);
	if (!use_stdin)
		fclose(in);
	return ret;
}

const struct source_ops source_text = {
    .name = "text",
    .fill = text_fill,
};
