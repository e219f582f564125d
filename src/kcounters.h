/* Kernel TCP counters and sysctls that back the diagnosis with evidence: /proc/net/netstat
 * (TcpExt: ListenOverflows, ListenDrops, SyncookiesSent, ...), /proc/net/snmp (Tcp: ActiveOpens,
 * AttemptFails, ...), /proc/net/sockstat (orphans, TIME_WAIT) and the sysctls that set the limits
 * (tcp_syncookies, tcp_max_tw_buckets, ip_local_port_range, somaxconn, tcp_fin_timeout, ...).
 *
 * Every value is a signed 64-bit number, KC_UNKNOWN when it could not be read (file missing,
 * counter absent on this kernel, a capture without it). All values describe the network
 * namespace of the reader, or of the capture under --proc-root. */
#ifndef CW_KCOUNTERS_H
#define CW_KCOUNTERS_H

#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KC_UNKNOWN INT64_MIN

enum kc_id {
	/* TcpExt (/proc/net/netstat): cumulative since boot */
	KC_LISTEN_OVERFLOWS, /* accept queue full when a handshake completed */
	KC_LISTEN_DROPS,     /* SYNs/ACKs dropped on a listener, any reason */
	KC_SYNCOOKIES_SENT,
	KC_SYNCOOKIES_RECV,
	KC_SYNCOOKIES_FAILED,
	KC_REQ_Q_FULL_DROP,   /* TCPReqQFullDrop: SYN dropped, request queue full, no cookies */
	KC_REQ_Q_FULL_COOKIE, /* TCPReqQFullDoCookies */
	KC_TW,                /* TIME_WAIT sockets that finished their wait (left TIME_WAIT) */
	KC_TW_RECYCLED,
	KC_TW_KILLED,
	KC_ABORT_ON_MEMORY, /* TCPAbortOnMemory: orphans killed under memory pressure */
	KC_ABORT_ON_TIMEOUT,
	/* Tcp (/proc/net/snmp) */
	KC_ACTIVE_OPENS,
	KC_PASSIVE_OPENS,
	KC_ATTEMPT_FAILS,
	KC_ESTAB_RESETS,
	KC_CURR_ESTAB, /* a gauge: ESTABLISHED + CLOSE_WAIT */
	KC_RETRANS_SEGS,
	KC_OUT_RSTS,
	/* /proc/net/sockstat: gauges */
	KC_SOCK_INUSE,
	KC_SOCK_ORPHAN,
	KC_SOCK_TW,
	/* sysctls (/proc/sys/net/...) */
	KC_SYSCTL_SYNCOOKIES,      /* net.ipv4.tcp_syncookies: 0 off, 1 when needed, 2 always */
	KC_SYSCTL_MAX_TW_BUCKETS,  /* net.ipv4.tcp_max_tw_buckets */
	KC_SYSCTL_PORT_LOW,        /* net.ipv4.ip_local_port_range, first number */
	KC_SYSCTL_PORT_HIGH,       /* second number */
	KC_SYSCTL_SOMAXCONN,       /* net.core.somaxconn */
	KC_SYSCTL_MAX_SYN_BACKLOG, /* net.ipv4.tcp_max_syn_backlog */
	KC_SYSCTL_FIN_TIMEOUT,     /* net.ipv4.tcp_fin_timeout, seconds */
	KC_SYSCTL_MAX_ORPHANS,     /* net.ipv4.tcp_max_orphans */
	KC_SYSCTL_TW_REUSE,        /* net.ipv4.tcp_tw_reuse */
	KC_COUNT,
};

struct kc_info {
	const char *name;   /* stable identifier for JSON and metrics: "listen_overflows" */
	const char *source; /* "TcpExt:ListenOverflows", "net.ipv4.tcp_syncookies" for evidence */
	bool cumulative;    /* a counter since boot (rates make sense), else a gauge/setting */
};

/* Description of one value; NULL for ids out of range. */
const struct kc_info *kcounters_info(enum kc_id id);

struct kcounters {
	int64_t v[KC_COUNT];
	bool valid; /* at least one value was read */
};

/* Marks every value unknown. */
void kcounters_init(struct kcounters *kc);

/* Reads everything readable. proc_root is the directory holding net/ and sys/ (NULL = /proc);
 * with a capture directory, values the capture lacks stay unknown rather than being taken
 * from this machine. Missing files are not errors (containers hide some); returns 0, or a
 * negative errno with err set only for an unexpected read failure. */
int kcounters_read(struct kcounters *kc, const char *proc_root, struct cw_error *err);

/* Parses the text of /proc/net/netstat or /proc/net/snmp (header line + value line pairs) and
 * stores the values this module knows. Malformed pairs are ignored. Exposed for tests. */
void kcounters_parse_pairs(struct kcounters *kc, const char *text, size_t len);

/* Parses /proc/net/sockstat text. Exposed for tests. */
void kcounters_parse_sockstat(struct kcounters *kc, const char *text, size_t len);

/* The value, or KC_UNKNOWN. */
static inline int64_t kcounters_get(const struct kcounters *kc, enum kc_id id)
{
	return kc && (unsigned)id < KC_COUNT ? kc->v[id] : KC_UNKNOWN;
}

/* How much a cumulative counter grew from prev to cur, or KC_UNKNOWN when either is unknown or
 * the counter went backwards (a reboot or a different namespace). */
int64_t kcounters_delta(const struct kcounters *prev, const struct kcounters *cur, enum kc_id id);

#endif
