/* Data sources: each fills a snapshot from one place (kernel netlink, /proc text, a recording,
 * saved netstat/ss text). A source never prints; it returns 0 or a negative errno and leaves the
 * message in err. Skipped input is recorded as snapshot notes. */
#ifndef CW_SOURCE_H
#define CW_SOURCE_H

#include "diag_bytecode.h"
#include "error.h"
#include "netns.h"
#include "snapshot.h"
#include "states.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* What to read. The state set goes to the kernel so it drops the rest (ss does the same). */
struct source_request {
	tcp_state_set tcp_states; /* TCP states wanted; 0 means no TCP */
	bool udp;                 /* UDP sockets wanted (all of them; filters pick) */
	bool ipv4, ipv6;
	bool want_tcp_info; /* ask the kernel for tcp_info on every socket (a fifth more) */
	/* Fill conn.idle_ms of CLOSE_WAIT rows (their time in CLOSE_WAIT) where the source can
	 * (SOURCE_GIVES_CLOSE_WAIT_AGES); other rows keep theirs unknown. */
	bool close_wait_ages;
	const char *proc_root;   /* proc source: directory holding net/tcp ...; NULL = /proc */
	const char *input_path;  /* replay and text sources: the file; "-" = stdin */
	const char *record_path; /* netlink source: also save the raw replies here; NULL = no */
	const struct netns_entry *netns; /* netlink: read this namespace (NULL = ours); the rows
	                                  * get snapshot.fill_netns */
	/* netlink source: the filter's ports and addresses for the kernel to test (len 0: none).
	 * TCP sockets in the states of bytecode_exempt come untested from a dump of their own
	 * (summary notes every listener). Other sources ignore both: the caller's user-space
	 * filter always runs. */
	struct diag_bytecode bytecode;
	tcp_state_set bytecode_exempt;
	/* Set by another thread to stop the read early (the live screen quitting during a dump
	 * of a million sockets); NULL: never. A source looks at it between two reads and then
	 * returns -ECANCELED, the snapshot partly filled (the caller throws it away). */
	const atomic_bool *cancel;
};

/* What a source can tell beyond the rows (source_ops.gives). */
enum source_gives {
	/* How long each CLOSE_WAIT socket has been in CLOSE_WAIT (tcp_info), when asked with
	 * source_request.close_wait_ages. */
	SOURCE_GIVES_CLOSE_WAIT_AGES = 1u << 0,
};

struct source_ops {
	const char *name;
	unsigned int gives; /* enum source_gives */
	int (*fill)(const struct source_request *req, struct snapshot *snap, struct cw_error *err);
};

extern const struct source_ops source_netlink; /* sock_diag through libmnl */
extern const struct source_ops source_proc;    /* /proc/net/{tcp,tcp6,udp,udp6} */
extern const struct source_ops source_replay;  /* raw netlink replies saved by --record */
extern const struct source_ops source_text;    /* saved netstat/ss text (import); "-" = stdin */

/* Errors after which the netlink source may be replaced by /proc (netlink refused). */
bool source_error_is_refusal(int code);

/* 0, or -ECANCELED with err set when *cancel (may be NULL) is set. */
int source_check_cancel(const atomic_bool *cancel, struct cw_error *err);

/* Errors of a read that may well succeed when tried again (ENOBUFS, EINTR, EAGAIN, EBUSY). */
bool source_error_is_transient(int code);

#endif
