/* The diagnosis: pure functions from counts (stats), kernel counters and thresholds (config),
 * plus an optional previous sample for rates and growth, to warnings with evidence and a remedy.
 * One table of rules in diagnose.c; each rule has a stable id. No I/O, no clock: the caller
 * passes the time. Usable from a long-running process: keep a struct diag_sample between
 * samples and pass it as `prev`. */
#ifndef CW_DIAGNOSE_H
#define CW_DIAGNOSE_H

#include "kcounters.h"
#include "stats.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum diag_severity {
	DIAG_OK = 0, /* only as the worst severity of an empty report */
	DIAG_WARNING = 1,
	DIAG_CRITICAL = 2,
};

/* "ok", "warning", "critical" (JSON identifiers, never translated). */
const char *diag_severity_name(enum diag_severity s);

/* Thresholds; every field is settable by name (config.c holds the names, ranges and docs). */
struct diag_config {
	uint32_t syn_recv_warning; /* SYN_RECV on one port */
	uint32_t syn_recv_critical;
	uint32_t time_wait_remote;      /* TIME_WAIT toward one remote endpoint */
	uint32_t time_wait_total;       /* TIME_WAIT in all */
	uint32_t time_wait_buckets_pct; /* TIME_WAIT as % of net.ipv4.tcp_max_tw_buckets */
	uint32_t ephemeral_pct;         /* % of the local port range held toward one endpoint:
	                                 * critical (connects to it start failing at 100%) */
	uint32_t close_wait_count;      /* hanging CLOSE_WAIT on one port (age known) */
	uint32_t close_wait_age_s;      /* CLOSE_WAIT at least this old hangs */
	uint32_t close_wait_unaged;     /* CLOSE_WAIT on one port when ages are unknown */
	uint32_t listen_queue_pct;      /* accept queue at or above this % of its backlog */
	uint32_t recv_q_bytes;          /* unread bytes on one ESTABLISHED connection */
	uint32_t send_q_bytes;          /* unacknowledged bytes on one ESTABLISHED connection */
	uint32_t queue_connections;     /* connections over those limits before warning */
	uint32_t fin_wait2_count;       /* FIN_WAIT2 in all */
	uint32_t orphans_pct;           /* orphans as % of net.ipv4.tcp_max_orphans */
	uint32_t syn_sent_remote;       /* SYN_SENT toward one remote endpoint */
	uint32_t syn_sent_total;        /* SYN_SENT in all */
};

void diag_config_default(struct diag_config *cfg);

/* The stats options the rules need (ages, queue limits) from cfg and, when known, the port
 * range sysctl in kc (kc may be NULL). */
void diagnose_stats_options(const struct diag_config *cfg, const struct kcounters *kc,
                            struct stats_options *out);

/* ---- warnings ---- */

#define DIAG_MAX_SCALARS 20
#define DIAG_MAX_LISTS   4
#define DIAG_LIST_ITEMS  10
#define DIAG_TEXT_MAX    64

enum diag_value_kind {
	DIAG_V_UINT,
	DIAG_V_INT,
	DIAG_V_DOUBLE,
	DIAG_V_BOOL,
	DIAG_V_TEXT,
};

/* One number or word of evidence: JSON `"key": value`; the text view shows the label. */
struct diag_scalar {
	const char *key;   /* English identifier, static */
	const char *label; /* N_() marked; translate when shown */
	enum diag_value_kind kind;
	union {
		uint64_t u;
		int64_t i;
		double d;
		bool b;
	} v;
	char text[DIAG_TEXT_MAX];
	const char *word; /* N_() marked: the text view shows this, translated, where `text` is a
	                   * JSON identifier ("client"); NULL: it shows `text` */
};

/* One row of an evidence list: JSON {"address": ..., "port": ..., "<count_key>": ...,
 * "<extra_key[0]>": ..., ...}; fields that do not apply are left out. */
struct diag_item {
	char address[DIAG_TEXT_MAX]; /* empty: no address */
	int32_t port;                /* -1: no port */
	uint64_t count;
	int64_t extra[2];
	/* Lists of processes: the unit and container of the pid in extra[0] ("" unknown). */
	char unit[DIAG_TEXT_MAX];
	char container[DIAG_TEXT_MAX];
};

struct diag_list {
	const char *key;          /* English identifier: "top_sources" */
	const char *label;        /* N_() marked */
	const char *count_key;    /* "count", "bytes", "queue" */
	const char *extra_key[2]; /* NULL when unused */
	struct diag_item items[DIAG_LIST_ITEMS];
	size_t count;
};

struct warning {
	const char *id; /* stable rule id: "syn_flood" */
	enum diag_severity severity;
	char message[256];  /* one line, translated */
	const char *remedy; /* N_() marked; translate with _() when shown */
	int32_t port; /* the local port or remote port it is about, or -1 (for the check line) */
	struct diag_scalar evidence[DIAG_MAX_SCALARS];
	size_t evidence_count;
	struct diag_list lists[DIAG_MAX_LISTS];
	size_t list_count;
	char netns[128]; /* the network namespace it is about (--netns), "" = ours */
};

struct diag_report {
	struct warning *items; /* owned; diag_report_free() */
	size_t count, capacity;
	bool out_of_memory; /* a warning could not be added */
};

void diag_report_init(struct diag_report *r);
void diag_report_clear(struct diag_report *r); /* keeps the memory */
void diag_report_free(struct diag_report *r);
enum diag_severity diag_report_worst(const struct diag_report *r);
/* Appends a zeroed warning (for reports merged from several runs); NULL when out of memory
 * (r->out_of_memory set). */
struct warning *diag_report_add(struct diag_report *r);

/* ---- samples for rates and growth ---- */

#define DIAG_SAMPLE_PORTS 32

/* What the rules remember from the previous sample of a long-running process. */
struct diag_sample {
	bool valid;
	double time_s; /* caller's monotonic clock, seconds */
	struct kcounters counters;
	uint64_t by_state[TCP_ST_MAX];
	/* CLOSE_WAIT per local port, busiest first, for growth */
	uint16_t close_wait_port[DIAG_SAMPLE_PORTS];
	uint64_t close_wait_count[DIAG_SAMPLE_PORTS];
	size_t close_wait_ports;
};

/* Remembers what the next run needs; kc may be NULL. */
void diag_sample_take(struct diag_sample *out, const struct stats *st, const struct kcounters *kc,
                      double now_s);

struct diag_input {
	const struct stats *stats;
	const struct kcounters *counters; /* NULL when unknown (imported text) */
	const struct diag_sample *prev;   /* NULL in one shot */
	double now_s;                     /* same clock as prev->time_s */
	const struct diag_config *config;
	/* Optional (NULL): the systemd unit and the container label of a pid, each written
	 * NUL-terminated into DIAG_TEXT_MAX bytes ("" unknown), for the processes named as
	 * evidence. */
	void (*owner_names)(void *ctx, uint32_t pid, char *unit, char *container);
	void *owner_ctx;
};

/* Runs every rule; appends warnings to out (cleared first). Returns the number of warnings, or
 * -ENOMEM (out->out_of_memory set; the warnings that fit are kept). */
int diagnose_run(const struct diag_input *in, struct diag_report *out);

/* New TIME_WAIT sockets per second since in->prev (count growth plus the kernel's count of
 * those that finished their wait), or -1 without a usable previous sample. Also exported as a
 * metric by `connwatch serve`. */
double diagnose_time_wait_rate(const struct diag_input *in);

/* ---- the rule table (for docs, tests and the check plugin) ---- */

struct diag_rule {
	const char *id;
	const char *title;  /* N_() marked */
	const char *remedy; /* N_() marked */
	void (*check)(const struct diag_rule *rule, const struct diag_input *in,
	              struct diag_report *out);
};

extern const struct diag_rule diag_rules[];
extern const size_t diag_rule_count;

const struct diag_rule *diag_rule_find(const char *id);

#endif
