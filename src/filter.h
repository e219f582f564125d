/* Which connections a view shows: netstat's -t -u -4 -6 -l -a, --state, --port, --local,
 * --remote. Pure: parse from option text, then match connections. */
#ifndef CW_FILTER_H
#define CW_FILTER_H

#include "error.h"
#include "snapshot.h"
#include "source.h"
#include "states.h"
#include "util/addr.h"

#include <stdbool.h>

#define FILTER_MAX_PREFIXES 16
#define FILTER_MAX_PORTS    16

enum filter_listening {
	FILTER_CONNECTED, /* default, as netstat -ntu: no listeners, UDP only when connected */
	FILTER_LISTENING, /* -l: only listeners and unconnected UDP */
	FILTER_ALL,       /* -a */
};

struct filter {
	bool tcp, udp; /* after filter_finish: at least one is true */
	bool ipv4, ipv6;
	enum filter_listening listening;
	tcp_state_set states; /* from --state; 0 = not given */
	uint16_t ports[FILTER_MAX_PORTS];
	unsigned int port_count;
	struct addr_prefix local[FILTER_MAX_PREFIXES];
	unsigned int local_count;
	struct addr_prefix remote[FILTER_MAX_PREFIXES];
	unsigned int remote_count;
};

void filter_init(struct filter *f);

/* Adds the states of a comma-separated list ("TIME_WAIT,syn-recv"). Returns 0, or -EINVAL with
 * a message that names the valid states. */
int filter_add_states(struct filter *f, const char *list, struct cw_error *err);
int filter_add_port(struct filter *f, const char *text, struct cw_error *err);
int filter_add_local(struct filter *f, const char *text, struct cw_error *err);
int filter_add_remote(struct filter *f, const char *text, struct cw_error *err);

/* Settles defaults: neither -t nor -u means both; neither -4 nor -6 means both. */
void filter_finish(struct filter *f);

/* The TCP state set the kernel is asked for (so it drops the rest). */
tcp_state_set filter_tcp_states(const struct filter *f);

/* Fills the parts of a source request that the filter decides: states, protocols, families and
 * the kernel's bytecode for ports and addresses (diag_bytecode.h). */
void filter_to_request(const struct filter *f, struct source_request *req);

/* True when the filter decides nothing beyond what filter_to_request() puts in a source request
 * and the listening choice (no --port, --local, --remote): sockets a source counted under that
 * request, never listeners or UDP, pass it as they are. */
bool filter_is_request_only(const struct filter *f);

/* True when the connection passes the filter. */
bool filter_match(const struct filter *f, const struct conn *c);

/* Keeps only the connections that pass, in order (compacts the array in place). */
void filter_apply(const struct filter *f, struct snapshot *snap);

/* "ESTABLISHED, SYN_SENT, ..." for error messages. */
const char *filter_valid_states_text(void);

#endif
