/* The single table of TCP states: kernel number, netstat and ss spellings, the explanation and
 * the place in the open/close sequence. Every view takes names and texts from here. */
#ifndef CW_STATES_H
#define CW_STATES_H

#include <stdbool.h>

/* Kernel numbering (include/net/tcp_states.h); the values travel in netlink and /proc. */
enum tcp_state {
	TCP_ST_UNKNOWN = 0,
	TCP_ST_ESTABLISHED = 1,
	TCP_ST_SYN_SENT = 2,
	TCP_ST_SYN_RECV = 3,
	TCP_ST_FIN_WAIT1 = 4,
	TCP_ST_FIN_WAIT2 = 5,
	TCP_ST_TIME_WAIT = 6,
	TCP_ST_CLOSE = 7,
	TCP_ST_CLOSE_WAIT = 8,
	TCP_ST_LAST_ACK = 9,
	TCP_ST_LISTEN = 10,
	TCP_ST_CLOSING = 11,
	TCP_ST_NEW_SYN_RECV = 12, /* request sockets; shown as SYN_RECV like ss and netstat do */
	TCP_ST_MAX = 13,
};

/* A set of states as a bitmask (1u << state), as the kernel's idiag_states takes it. */
typedef unsigned int tcp_state_set;
#define TCP_STATE_BIT(s) (1u << (s))
/* Bits 1..11: every real state. Never ~0: bit 13 (BOUND_INACTIVE) makes the kernel walk the bind
 * hash too, which costs a fifth more and yields sockets no one asked for. */
#define TCP_STATES_ALL 0xffeu

/* Which side passes through a state in the normal sequences (see `connwatch explain`). */
enum tcp_state_side {
	TCP_SIDE_NONE,
	TCP_SIDE_CLIENT, /* the side that opens */
	TCP_SIDE_SERVER, /* the side that accepts */
	TCP_SIDE_BOTH,
	TCP_SIDE_CLOSER,    /* the side that closes first (active close) */
	TCP_SIDE_RESPONDER, /* the side that receives the FIN (passive close) */
};

struct tcp_state_info {
	enum tcp_state state;
	const char *netstat_name; /* SYN_RECV, FIN_WAIT1, ... (identifier, never translated) */
	const char *ss_name;      /* the name `ss state NAME` takes (ss 6.1): established,
	                           * syn-recv, fin-wait-1, ..., closed, listening */
	const char *meaning;      /* N_() marked; translate with _() when shown */
	const char *sequence;     /* where it sits in the open/close sequences, N_() marked */
	const char *many_means;   /* what many sockets in this state usually mean, N_() marked */
	enum tcp_state_side side;
	bool warning_sign; /* one of the user's three warning signs (SYN_RECV, TIME_WAIT,
	                      CLOSE_WAIT) */
};

/* One step of a normal sequence: who is in which state, and what happened to get there. */
struct tcp_sequence_step {
	enum tcp_state state;
	enum tcp_state_side side;
	const char *event; /* N_() marked */
};

struct tcp_sequence {
	const char *title; /* N_() marked */
	const struct tcp_sequence_step *steps;
	unsigned int count;
};

/* The normal opening (3-way handshake), the normal closing and the simultaneous close. */
extern const struct tcp_sequence tcp_sequences[];
extern const unsigned int tcp_sequence_count;

/* "Client", "Server", "Both", ... (N_() marked; translate with _()). */
const char *tcp_side_label(enum tcp_state_side side);

/* Identifier for JSON: "client", "server", "both", "closer", "receiver", "none". */
const char *tcp_side_id(enum tcp_state_side side);

/* Info for a state; NEW_SYN_RECV maps to SYN_RECV. NULL for numbers out of range. */
const struct tcp_state_info *tcp_state_info(unsigned int state);

/* netstat spelling ("ESTABLISHED"); "UNKNOWN" for numbers out of range. */
const char *tcp_state_name(unsigned int state);

/* Lower-case netstat spelling ("time_wait", "syn_recv", "closed"): metric labels and perfdata.
 * "unknown" for numbers out of range. */
const char *tcp_state_label(unsigned int state);

/* Parses a state in netstat spelling, ss spelling or their common aliases ("estab",
 * "syn-recv", "time_wait", "listening"), any case. Returns the state or TCP_ST_UNKNOWN. */
enum tcp_state tcp_state_parse(const char *name);

/* The states of the user's document, in the order explain lists them. */
extern const enum tcp_state tcp_states_documented[];
extern const unsigned int tcp_states_documented_count;

#endif
