/* The saved-text source: what an operator pasted from `netstat -ntu[a]`, `ss -tan[u]` or
 * `watch` on another server. The parser is line-based and token-based (columns are ragged), it
 * recognises the three table shapes by their first tokens, and it joins a row that a terminal
 * wrapped onto two lines. */
#include "source.h"
#include "source_text.h"

#include "i18n.h"
#include "util/escape.h"
#include "util/lineread.h"
#include "util/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NETSTAT_ENDPOINT_WIDTH 23
#define MAX_TOKENS             8 /* the columns we read; later ones (-p, -o, -e extras) are ignored */

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

/* Socket kinds that netstat -a or ss -a list besides TCP and UDP: not connections we count. */
static const char *const other_kinds[] = {
    "unix",  "raw",  "raw6", "udpl",  "udpl6", "u_str", "u_dgr", "u_seq", "nl",   "p_raw", "p_dgr",
    "mptcp", "sctp", "tipc", "v_str", "v_dgr", "xdp",   "icmp",  "icmp6", "dccp", "?",     NULL};

struct endpoint {
	int family; /* AF_INET, AF_INET6, or AF_UNSPEC for "*" */
	uint8_t addr[16];
	uint16_t port;
};

/* "1.2.3.4:80", "::1:631" (netstat), "[::1]:631" (ss), "[fe80::1%eth0]:22", "0.0.0.0%lo:53",
 * "*:*", ":::*". The port follows the last colon; "*" is port 0 (netstat's "any"). */
static bool parse_endpoint(const struct token *t, struct endpoint *e)
{
	const char *colon = NULL;
	for (const char *p = t->s + t->len; p > t->s; p--)
		if (p[-1] == ':') {
			colon = p - 1;
			break;
		}
	if (!colon)
		return false;
	const char *port = colon + 1, *end = t->s + t->len;
	if (end - port == 1 && *port == '*') {
		e->port = 0;
	} else {
		uint64_t v;
		const char *p = port;
		if (!parse_dec(&p, end, &v) || p != end || v > 65535)
			return false;
		e->port = (uint16_t)v;
	}
	const char *a = t->s, *aend = colon;
	if (aend - a >= 2 && *a == '[' && aend[-1] == ']') {
		a++;
		aend--;
	}
	const char *scope = memchr(a, '%', (size_t)(aend - a));
	if (scope)
		aend = scope; /* ss shows the bound device after the address */
	char text[INET6_ADDRSTRLEN + 1];
	size_t n = (size_t)(aend - a);
	if (n == 0 || n >= sizeof(text))
		return false;
	memcpy(text, a, n);
	text[n] = '\0';
	memset(e->addr, 0, sizeof(e->addr));
	if (!strcmp(text, "*")) {
		e->family = AF_UNSPEC;
		return true;
	}
	if (inet_pton(AF_INET, text, e->addr) == 1) {
		e->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, e->addr) == 1) {
		e->family = AF_INET6;
		return true;
	}
	return false;
}

/* Stores an endpoint in the row's family: an IPv4 text on an IPv6 socket (netstat shows tcp6
 * rows with IPv4-mapped addresses as a.b.c.d) becomes ::ffff:a.b.c.d, as the kernel holds it. */
static bool store_endpoint(const struct endpoint *e, int family, uint8_t addr[16], uint16_t *port)
{
	*port = e->port;
	memset(addr, 0, 16);
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

static bool parse_queue(const struct token *t, uint32_t *out)
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

/* The columns shared by every shape, from where they start: Recv-Q Send-Q Local Peer. `first`
 * is the index of Recv-Q; `family` is AF_INET/AF_INET6 when the proto says it (netstat), or
 * AF_UNSPEC to take it from the addresses (ss). `needed` is how many tokens make a full row; a
 * shorter line is INCOMPLETE when the tokens it has, but the last (which a wrap may have cut),
 * are valid. */
static enum text_line_kind parse_columns(const struct tokens *tk, unsigned int first, int family,
                                         unsigned int needed, struct conn *c,
                                         struct text_problem *why)
{
	static const char *const fields[] = {N_("Recv-Q"), N_("Send-Q"), N_("local address"),
	                                     N_("foreign address")};
	bool incomplete = tk->n < needed;
	unsigned int check_until = incomplete ? tk->n - 1 : first + 4;
	uint32_t q;
	struct endpoint ep[2];
	for (unsigned int i = first; i < check_until && i < first + 4; i++) {
		const struct token *t = &tk->t[i];
		unsigned int col = i - first;
		bool ok = col < 2 ? parse_queue(t, &q) : parse_endpoint(t, &ep[col - 2]);
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
		family = ep[0].family == AF_INET6 || ep[1].family == AF_INET6 ? AF_INET6
		         : ep[0].family == AF_INET || ep[1].family == AF_INET ? AF_INET
		                                                              : AF_INET6;
	c->family = (uint8_t)family;
	if (!store_endpoint(&ep[0], family, c->local_addr, &c->local_port))
		return bad(why, fields[2], &tk->t[first + 2]);
	if (!store_endpoint(&ep[1], family, c->remote_addr, &c->remote_port))
		return bad(why, fields[3], &tk->t[first + 3]);
	return TEXT_ROW;
}

/* netstat: Proto Recv-Q Send-Q Local Foreign State [extras]. UDP has an empty State unless
 * connected ("ESTABLISHED"); TCP always has one. */
static enum text_line_kind parse_netstat_row(const struct tokens *tk, struct conn *c,
                                             struct text_problem *why)
{
	const struct token *proto = &tk->t[0];
	bool udp = token_is(proto, "udp") || token_is(proto, "udp6");
	bool v6 = token_is(proto, "tcp6") || token_is(proto, "udp6");
	c->proto = udp ? CONN_UDP : CONN_TCP;
	enum text_line_kind k = parse_columns(tk, 1, v6 ? AF_INET6 : AF_INET, udp ? 5 : 6, c, why);
	if (k != TEXT_ROW)
		return k;
	/* netstat (net-tools) without -W cuts "address:port" to 23 characters by shortening the
	 * address; only IPv6 text gets that long. */
	why->maybe_truncated =
	    tk->t[3].len == NETSTAT_ENDPOINT_WIDTH || tk->t[4].len == NETSTAT_ENDPOINT_WIDTH;
	enum tcp_state st = tk->n > 5 ? token_state(&tk->t[5]) : TCP_ST_UNKNOWN;
	if (udp) {
		/* A sixth token that is no state is an extra column (-p, -e): no state shown. */
		c->state = st == TCP_ST_ESTABLISHED ? TCP_ST_ESTABLISHED : TCP_ST_CLOSE;
		return TEXT_ROW;
	}
	if (st == TCP_ST_UNKNOWN)
		return bad(why, N_("state"), &tk->t[5]);
	c->state = (uint8_t)st;
	return TEXT_ROW;
}

/* ss: [Netid] State Recv-Q Send-Q Local:Port Peer:Port [extras]. Without the Netid column (ss -tan)
 * the rows are TCP, except UNCONN, which only UDP shows (a TCP socket in CLOSE is not dumped). */
static enum text_line_kind parse_ss_row(const struct tokens *tk, bool has_netid, struct conn *c,
                                        struct text_problem *why)
{
	unsigned int s = has_netid ? 1 : 0;
	if (tk->n <= s)
		return TEXT_INCOMPLETE;
	enum tcp_state st = token_state(&tk->t[s]);
	if (st == TCP_ST_UNKNOWN)
		return tk->n == s + 1 ? TEXT_INCOMPLETE : bad(why, N_("state"), &tk->t[s]);
	bool udp = has_netid ? token_is(&tk->t[0], "udp") : token_is(&tk->t[s], "UNCONN");
	c->proto = udp ? CONN_UDP : CONN_TCP;
	c->state = (uint8_t)(udp && st != TCP_ST_ESTABLISHED ? TCP_ST_CLOSE : st);
	enum text_line_kind k = parse_columns(tk, s + 1, AF_UNSPEC, s + 5, c, why);
	if (k == TEXT_ROW && c->state == TCP_ST_LISTEN && c->proto == CONN_TCP) {
		/* ss shows a listener's backlog limit as Send-Q; netstat shows 0 there. */
		c->backlog = c->send_q;
		c->send_q = 0;
	}
	return k;
}

enum text_line_kind text_parse_line(const char *line, size_t len, struct conn *c,
                                    struct text_problem *why)
{
	struct tokens tk;
	memset(c, 0, sizeof(*c));
	c->uid = CONN_UNKNOWN_U32; /* netstat -ntu and ss -tan do not show it */
	c->idle_ms = CONN_UNKNOWN_U32;
	*why = (struct text_problem){0};
	tokenize(line, len, &tk);
	if (tk.n == 0)
		return TEXT_IGNORED;
	const struct token *first = &tk.t[0];
	if (token_is(first, "Every"))
		return TEXT_TITLE;
	if (token_in(first, header_words) || token_in(first, other_kinds))
		return TEXT_IGNORED;
	bool inet = token_is(first, "tcp") || token_is(first, "udp");
	if (inet || token_is(first, "tcp6") || token_is(first, "udp6")) {
		/* netstat's second column is a number, ss's (with Netid: tcp, udp) a state. */
		if (inet && tk.n > 1 && token_state(&tk.t[1]) != TCP_ST_UNKNOWN)
			return parse_ss_row(&tk, true, c, why);
		return parse_netstat_row(&tk, c, why);
	}
	if (token_state(first) != TCP_ST_UNKNOWN)
		return parse_ss_row(&tk, false, c, why);
	return bad(why, N_("protocol"), first);
}

void text_reader_init(struct text_reader *r, const char *name, const struct source_request *req)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->req = req;
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

static int add_row(struct text_reader *r, struct snapshot *snap, const struct conn *c)
{
	if (!wanted(r->req, c))
		return 0;
	return snapshot_add_conn(snap, c);
}

/* Tries the pending row joined with this line: first as a wrap between columns (a blank in
 * between), then as a wrap inside a column. Returns 1 when the join made a row. */
static int try_join(struct text_reader *r, const char *line, size_t len, struct snapshot *snap)
{
	char joined[2 * TEXT_LINE_MAX + 2];
	struct conn c;
	struct text_problem why;
	for (int blank = 1; blank >= 0; blank--) {
		size_t n = r->pending_len;
		memcpy(joined, r->pending, n);
		if (blank)
			joined[n++] = ' ';
		memcpy(joined + n, line, len);
		n += len;
		if (text_parse_line(joined, n, &c, &why) == TEXT_ROW) {
			r->pending_len = 0;
			r->after_row = true;
			return add_row(r, snap, &c) < 0 ? -ENOMEM : 1;
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
	struct conn c;
	struct text_problem why;
	enum text_line_kind kind = text_parse_line(line, len, &c, &why);
	if (r->in_title && (kind == TEXT_BAD || kind == TEXT_INCOMPLETE))
		return 0; /* the rest of watch's title, wrapped by the terminal it was copied from
		           */
	r->in_title = kind == TEXT_TITLE;
	/* ss -e, -i, -m and -o print details on an indented line under each row ("\t skmem:(...)
	 * cubic ..."); a terminal-wrapped Process column also lands under its row. */
	bool indented = len && (line[0] == '\t' || line[0] == ' ');
	if (r->after_row && indented && kind == TEXT_BAD)
		return 0;
	if (kind != TEXT_IGNORED || !is_blank(line, len))
		r->after_row = kind == TEXT_ROW;
	if (kind == TEXT_ROW && why.maybe_truncated && !r->warned_truncation) {
		r->warned_truncation = true;
		snapshot_add_note(snap,
		                  _("%s:%lu: netstat may have cut this IPv6 address short (it does "
		                    "without -W); rows are read as printed"),
		                  r->name, r->lineno);
	}
	switch (kind) {
	case TEXT_ROW:
		return add_row(r, snap, &c) < 0 ? -ENOMEM : 0;
	case TEXT_IGNORED:
	case TEXT_TITLE:
		return 0;
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

void text_reader_finish(struct text_reader *r, struct snapshot *snap)
{
	report_pending(r, snap);
}

int text_parse_buffer(const char *name, const char *buf, size_t len,
                      const struct source_request *req, struct snapshot *snap)
{
	struct text_reader *r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	text_reader_init(r, name, req);
	const char *p = buf, *end = buf + len;
	int ret = 0;
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
		text_reader_finish(r, snap);
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
	struct text_reader *r = malloc(sizeof(*r));
	char *line = malloc(TEXT_LINE_MAX);
	int ret = 0;
	if (!r || !line) {
		ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	text_reader_init(r, use_stdin ? "stdin" : req->input_path, req);
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
		if (text_reader_line(r, line, n, snap) < 0) {
			ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
			goto out;
		}
	}
	if (ferror(in)) {
		ret = cw_error_set(err, -EIO, _("cannot read %s: %s"), r->name, strerror(errno));
		goto out;
	}
	text_reader_finish(r, snap);
out:
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
