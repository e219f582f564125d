/* Data sources: each fills a snapshot from one place (kernel netlink, /proc text, a recording,
 * saved netstat/ss text). A source never prints; it returns 0 or a negative errno and leaves the
 * message in err. Skipped input is recorded as snapshot notes. */
#ifndef CW_SOURCE_H
#define CW_SOURCE_H

#include "error.h"
#include "snapshot.h"
#include "states.h"

#include <stdbool.h>
#include <stdint.h>

/* What to read. The state set goes to the kernel so it drops the rest (ss does the same). */
struct source_request {
	tcp_state_set tcp_states; /* TCP states wanted; 0 means no TCP */
	bool udp;                 /* UDP sockets wanted (all of them; filters pick) */
	bool ipv4, ipv6;
	bool want_tcp_info;      /* ask the kernel for tcp_info (costs a fifth more) */
	const char *proc_root;   /* proc source: directory holding net/tcp ...; NULL = /proc */
	const char *input_path;  /* replay and text sources: the file; "-" = stdin */
	const char *record_path; /* netlink source: also save the raw replies here; NULL = no */
};

struct source_ops {
	const char *name;
	int (*fill)(const struct source_request *req, struct snapshot *snap, struct cw_error *err);
};

extern const struct source_ops source_netlink; /* sock_diag through libmnl */
extern const struct source_ops source_proc;    /* /proc/net/{tcp,tcp6,udp,udp6} */
extern const struct source_ops source_replay;  /* raw netlink replies saved by --record */
extern const struct source_ops source_text;    /* saved netstat/ss text (import); "-" = stdin */

/* Errors after which the netlink source may be replaced by /proc (netlink refused). */
bool source_error_is_refusal(int code);

#endif
