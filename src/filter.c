#include "filter.h"

#include "diag_bytecode.h"
#include "i18n.h"
#include "util/parse.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
}

const char *filter_valid_states_text(void)
{
	return "ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE_WAIT, "
	       "CLOSING, LAST_ACK, CLOSED, LISTEN (or ss names: estab, syn-recv, time-wait, ...)";
}

int filter_add_states(struct filter *f, const char *list, struct cw_error *err)
{
	char buf[256];
	if (!list || strlen(list) >= sizeof(buf))
		return cw_error_set(err, -EINVAL, _("--state: list too long"));
	strcpy(buf, list);
	char *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum tcp_state s = tcp_state_parse(tok);
		if (s == TCP_ST_UNKNOWN)
			return cw_error_set(err, -EINVAL, _("unknown state '%s'; valid states: %s"),
			                    tok, filter_valid_states_text());
		f->states |= TCP_STATE_BIT(s);
		if (s == TCP_ST_SYN_RECV)
			f->states |= TCP_STATE_BIT(TCP_ST_NEW_SYN_RECV);
		n++;
	}
	if (n == 0)
		return cw_error_set(err, -EINVAL, _("--state needs at least one state; valid: %s"),
		                    filter_valid_states_text());
	return 0;
}

int filter_add_port(struct filter *f, const char *text, struct cw_error *err)
{
	uint64_t v;
	if (!parse_dec_str(text, 1, 65535, &v)) {
		/* digits only (however many) is a number, just not a port's */
		if (text && *text && strspn(text, "0123456789") == strlen(text))
			return cw_error_set(err, -EINVAL,
			                    _("--port: %s is out of range: a port is 1 to 65535"),
			                    text);
		return cw_error_set(err, -EINVAL, _("--port: '%s' is not a port number (1-65535)"),
		                    text ? text : "");
	}
	if (f->port_count >= FILTER_MAX_PORTS)
		return cw_error_set(err, -EINVAL, _("--port: at most %d ports"), FILTER_MAX_PORTS);
	f->ports[f->port_count++] = (uint16_t)v;
	return 0;
}

static int add_prefix(struct addr_prefix *list, unsigned int *count, const char *opt,
                      const char *text, struct cw_error *err)
{
	if (*count >= FILTER_MAX_PREFIXES)
		return cw_error_set(err, -EINVAL, _("%s: at most %d addresses"), opt,
		                    FILTER_MAX_PREFIXES);
	if (!addr_prefix_parse(text, &list[*count]))
		return cw_error_set(
		    err, -EINVAL,
		    _("%s: '%s' is not an address or ADDRESS/PREFIX (e.g. 10.0.0.0/8, "
		      "2001:db8::/32)"),
		    opt, text ? text : "");
	(*count)++;
	return 0;
}

int filter_add_local(struct filter *f, const char *text, struct cw_error *err)
{
	return add_prefix(f->local, &f->local_count, "--local", text, err);
}

int filter_add_remote(struct filter *f, const char *text, struct cw_error *err)
{
	return add_prefix(f->remote, &f->remote_count, "--remote", text, err);
}

void filter_finish(struct filter *f)
{
	if (!f->tcp && !f->udp)
		f->tcp = f->udp = true;
	if (!f->ipv4 && !f->ipv6)
		f->ipv4 = f->ipv6 = true;
}

tcp_state_set filter_tcp_states(const struct filter *f)
{
	if (!f->tcp)
		return 0;
	if (f->states)
		return f->states & TCP_STATES_ALL;
	switch (f->listening) {
	case FILTER_LISTENING:
		return TCP_STATE_BIT(TCP_ST_LISTEN);
	case FILTER_ALL:
		return TCP_STATES_ALL;
	case FILTER_CONNECTED:
	default:
		return TCP_STATES_ALL & ~TCP_STATE_BIT(TCP_ST_LISTEN);
	}
}

void filter_to_request(const struct filter *f, struct source_request *req)
{
	req->tcp_states = filter_tcp_states(f);
	req->udp = f->udp;
	req->ipv4 = f->ipv4;
	req->ipv6 = f->ipv6;
	diag_bytecode_build(f, &req->bytecode);
}

static bool prefix_list_match(const struct addr_prefix *list, unsigned int n, int family,
                              const uint8_t *addr)
{
	if (n == 0)
		return true;
	for (unsigned int i = 0; i < n; i++)
		if (addr_prefix_match(&list[i], family, addr))
			return true;
	return false;
}

/* UDP has no states of its own; netstat calls a connected UDP socket ESTABLISHED and lists an
 * unconnected one among the servers (-l). --state LISTEN therefore picks unconnected UDP, as ss's
 * "listening" does. */
static bool udp_match_listening(const struct filter *f, const struct conn *c)
{
	bool connected = !addr_is_any(c->family, c->remote_addr);
	if (f->states) {
		unsigned int s = connected ? TCP_ST_ESTABLISHED : TCP_ST_LISTEN;
		return (f->states & TCP_STATE_BIT(s)) != 0;
	}
	switch (f->listening) {
	case FILTER_LISTENING:
		return !connected;
	case FILTER_ALL:
		return true;
	case FILTER_CONNECTED:
	default:
		return connected;
	}
}

/* want_tcp is filter_tcp_states(f), computed once per table by filter_apply. */
static bool match(const struct filter *f, tcp_state_set want_tcp, const struct conn *c)
{
	if (c->proto == CONN_TCP) {
		if (!f->tcp)
			return false;
		unsigned int s = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
		if (s >= TCP_ST_MAX || !(want_tcp & TCP_STATE_BIT(s)))
			return false;
	} else {
		if (!f->udp || !udp_match_listening(f, c))
			return false;
	}
	if ((c->family == AF_INET && !f->ipv4) || (c->family == AF_INET6 && !f->ipv6))
		return false;
	if (f->port_count) {
		bool hit = false;
		for (unsigned int i = 0; i < f->port_count && !hit; i++)
			hit = c->local_port == f->ports[i] || c->remote_port == f->ports[i];
		if (!hit)
			return false;
	}
	return prefix_list_match(f->local, f->local_count, c->family, c->local_addr) &&
	       prefix_list_match(f->remote, f->remote_count, c->family, c->remote_addr);
}

bool filter_is_request_only(const struct filter *f)
{
	return !f->port_count && !f->local_count && !f->remote_count &&
	       f->listening != FILTER_LISTENING;
}

bool filter_match(const struct filter *f, const struct conn *c)
{
	return match(f, filter_tcp_states(f), c);
}

void filter_apply(const struct filter *f, struct snapshot *snap)
{
	tcp_state_set want_tcp = filter_tcp_states(f);
	size_t kept = 0;
	for (size_t i = 0; i < snap->count; i++) {
		if (!match(f, want_tcp, &snap->conns[i]))
			continue;
		if (kept != i)
			snap->conns[kept] = snap->conns[i];
		kept++;
	}
	snap->count = kept;
}
