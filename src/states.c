#include "states.h"

#include "i18n.h"

#include <stddef.h>
#include <strings.h>

static const struct tcp_state_info table[TCP_ST_MAX] = {
    [TCP_ST_ESTABLISHED] =
        {
            .state = TCP_ST_ESTABLISHED,
            .netstat_name = "ESTABLISHED",
            .ss_name = "established",
            .meaning = N_("The connection is established and in use for data. This is the "
                          "\"normal\" state: data can flow both ways."),
            .sequence = N_("Opening, step 3: both sides reach it once the handshake is complete."),
            .many_means = N_("Many ESTABLISHED connections are normal for a busy server; compare "
                             "with the usual load and look at the busiest remote addresses."),
            .side = TCP_SIDE_BOTH,
        },
    [TCP_ST_SYN_SENT] =
        {
            .state = TCP_ST_SYN_SENT,
            .netstat_name = "SYN_SENT",
            .ss_name = "syn-sent",
            .meaning = N_("This host, as the client, sent a SYN to the server and is waiting for "
                          "the reply (SYN-ACK). This is the first step of an outbound connection."),
            .sequence = N_("Opening, step 1: the client, right after it sends its SYN."),
            .many_means = N_("Many SYN_SENT sockets mean outgoing connections do not complete: the "
                             "destination is down, unreachable or filtered by a firewall."),
            .side = TCP_SIDE_CLIENT,
        },
    [TCP_ST_SYN_RECV] =
        {
            .state = TCP_ST_SYN_RECV,
            .netstat_name = "SYN_RECV",
            .ss_name = "syn-recv",
            .meaning = N_("This server received a SYN, answered with a SYN-ACK and is waiting for "
                          "the client's ACK that completes the handshake."),
            .sequence =
                N_("Opening, step 2: the server, between the client's SYN and its final ACK."),
            .many_means = N_("Many SYN_RECV sockets, especially on one port and from many sources, "
                             "are the mark of a SYN flood attack."),
            .side = TCP_SIDE_SERVER,
            .warning_sign = true,
        },
    [TCP_ST_FIN_WAIT1] =
        {
            .state = TCP_ST_FIN_WAIT1,
            .netstat_name = "FIN_WAIT1",
            .ss_name = "fin-wait-1",
            .meaning = N_("The application closed the connection and the system sent a FIN (a "
                          "request to close) to the other side."),
            .sequence =
                N_("Closing, step 1: the side that closes first, right after it sends its FIN."),
            .many_means = N_("Many FIN_WAIT1 sockets mean peers do not acknowledge the close: they "
                             "are gone, slow, or data is still queued toward them."),
            .side = TCP_SIDE_CLOSER,
        },
    [TCP_ST_FIN_WAIT2] =
        {
            .state = TCP_ST_FIN_WAIT2,
            .netstat_name = "FIN_WAIT2",
            .ss_name = "fin-wait-2",
            .meaning = N_("The other side acknowledged our FIN; the system now waits for the other "
                          "side's own FIN."),
            .sequence =
                N_("Closing, step 3: the side that closed first, once its FIN is acknowledged."),
            .many_means =
                N_("Many FIN_WAIT2 sockets mean peers acknowledge the close but never close their "
                   "side; the kernel drops them after net.ipv4.tcp_fin_timeout."),
            .side = TCP_SIDE_CLOSER,
        },
    [TCP_ST_TIME_WAIT] =
        {
            .state = TCP_ST_TIME_WAIT,
            .netstat_name = "TIME_WAIT",
            .ss_name = "time-wait",
            .meaning = N_("The connection is closed, but the system waits for a while (twice the "
                          "maximum segment lifetime, 60 seconds on Linux) so that late packets "
                          "cannot be mistaken for a new connection."),
            .sequence = N_("Closing, step 5: the side that closed first, after it acknowledged the "
                           "other side's FIN."),
            .many_means = N_("Many TIME_WAIT sockets usually come from scripts or API clients that "
                             "open and close connections over and over instead of reusing them."),
            .side = TCP_SIDE_CLOSER,
            .warning_sign = true,
        },
    [TCP_ST_CLOSE] =
        {
            .state = TCP_ST_CLOSE,
            .netstat_name = "CLOSED",
            .ss_name = "closed",
            .meaning = N_("The connection is fully closed; no more communication takes place."),
            .sequence = N_("Closing, step 6: the end, for both sides."),
            .many_means = N_("CLOSED sockets are rarely seen: the kernel forgets a connection once "
                             "it is closed."),
            .side = TCP_SIDE_BOTH,
        },
    [TCP_ST_CLOSE_WAIT] =
        {
            .state = TCP_ST_CLOSE_WAIT,
            .netstat_name = "CLOSE_WAIT",
            .ss_name = "close-wait",
            .meaning = N_("The other side sent a FIN (it closed); the system waits for the local "
                          "application to close the connection too."),
            .sequence = N_("Closing, step 2: the side that receives the FIN, until its application "
                           "calls close()."),
            .many_means = N_(
                "CLOSE_WAIT sockets that hang mean the application does not close its connections "
                "properly: a socket leak that can grow into a memory or file descriptor leak."),
            .side = TCP_SIDE_RESPONDER,
            .warning_sign = true,
        },
    [TCP_ST_LAST_ACK] =
        {
            .state = TCP_ST_LAST_ACK,
            .netstat_name = "LAST_ACK",
            .ss_name = "last-ack",
            .meaning = N_("The system sent its own FIN in reply and waits for the other side's ACK "
                          "before the connection is fully closed."),
            .sequence = N_(
                "Closing, step 4: the side that received the FIN, after its application closed."),
            .many_means =
                N_("Many LAST_ACK sockets mean peers vanish without acknowledging the final FIN."),
            .side = TCP_SIDE_RESPONDER,
        },
    [TCP_ST_LISTEN] =
        {
            .state = TCP_ST_LISTEN,
            .netstat_name = "LISTEN",
            .ss_name = "listening",
            .meaning = N_("A server waits for incoming connections on this port (passive open), as "
                          "web servers, SSH and databases do."),
            .sequence = N_("Before opening: the server listens; each accepted connection gets a "
                           "socket of its own."),
            .many_means = N_("Listening sockets are normal; check that each one is a service you "
                             "expect to expose."),
            .side = TCP_SIDE_SERVER,
        },
    [TCP_ST_CLOSING] =
        {
            .state = TCP_ST_CLOSING,
            .netstat_name = "CLOSING",
            .ss_name = "closing",
            .meaning = N_(
                "Both sides sent a FIN at about the same time, but not every ACK has arrived yet."),
            .sequence = N_("Simultaneous close: both sides closed at once; CLOSING replaces "
                           "FIN_WAIT2, then TIME_WAIT follows."),
            .many_means = N_("Many CLOSING sockets mean ACKs get lost during simultaneous closes: "
                             "look for packet loss toward those peers."),
            .side = TCP_SIDE_BOTH,
        },
};

static const struct tcp_sequence_step opening[] = {
    {TCP_ST_SYN_SENT, TCP_SIDE_CLIENT, N_("sends a SYN and waits for the SYN-ACK")},
    {TCP_ST_SYN_RECV, TCP_SIDE_SERVER,
     N_("received the SYN, answered with a SYN-ACK, waits for the ACK")},
    {TCP_ST_ESTABLISHED, TCP_SIDE_BOTH, N_("the client's ACK completes the handshake; data flows")},
};

static const struct tcp_sequence_step closing[] = {
    {TCP_ST_FIN_WAIT1, TCP_SIDE_CLOSER, N_("its application closed; it sends a FIN")},
    {TCP_ST_CLOSE_WAIT, TCP_SIDE_RESPONDER,
     N_("received the FIN and acknowledged it; waits for its application to close")},
    {TCP_ST_FIN_WAIT2, TCP_SIDE_CLOSER,
     N_("its FIN was acknowledged; waits for the other side's FIN")},
    {TCP_ST_LAST_ACK, TCP_SIDE_RESPONDER,
     N_("its application closed; it sends its own FIN and waits for the last ACK")},
    {TCP_ST_TIME_WAIT, TCP_SIDE_CLOSER,
     N_("received the FIN and acknowledged it; waits twice the maximum segment lifetime for late "
        "packets")},
    {TCP_ST_CLOSE, TCP_SIDE_BOTH,
     N_("the receiver once the last ACK arrives, the closer after TIME_WAIT")},
};

static const struct tcp_sequence_step simultaneous[] = {
    {TCP_ST_FIN_WAIT1, TCP_SIDE_BOTH, N_("both applications close at once; the two FINs cross")},
    {TCP_ST_CLOSING, TCP_SIDE_BOTH, N_("each received the other's FIN before the ACK of its own")},
    {TCP_ST_TIME_WAIT, TCP_SIDE_BOTH, N_("the ACKs arrive; each side waits for late packets")},
    {TCP_ST_CLOSE, TCP_SIDE_BOTH, N_("the connection is gone")},
};

#define STEPS(a) a, sizeof(a) / sizeof(a[0])
const struct tcp_sequence tcp_sequences[] = {
    {N_("Normal opening (3-way handshake)"), STEPS(opening)},
    {N_("Normal closing (the closer sends the first FIN, the receiver gets it)"), STEPS(closing)},
    {N_("Simultaneous close (both sides close at once)"), STEPS(simultaneous)},
};
const unsigned int tcp_sequence_count = sizeof(tcp_sequences) / sizeof(tcp_sequences[0]);

/* Label (N_() marked) and JSON identifier of each side, indexed by enum tcp_state_side. */
static const struct {
	const char *label, *id;
} sides[] = {
    [TCP_SIDE_NONE] = {"", "none"},
    [TCP_SIDE_CLIENT] = {N_("Client"), "client"},
    [TCP_SIDE_SERVER] = {N_("Server"), "server"},
    [TCP_SIDE_BOTH] = {N_("Both"), "both"},
    [TCP_SIDE_CLOSER] = {N_("Closer"), "closer"},
    [TCP_SIDE_RESPONDER] = {N_("Receiver"), "receiver"},
};

const char *tcp_side_label(enum tcp_state_side side)
{
	return (unsigned int)side < sizeof(sides) / sizeof(sides[0]) ? sides[side].label : "";
}

const char *tcp_side_id(enum tcp_state_side side)
{
	return (unsigned int)side < sizeof(sides) / sizeof(sides[0]) ? sides[side].id : "none";
}

const enum tcp_state tcp_states_documented[] = {
    TCP_ST_ESTABLISHED, TCP_ST_SYN_SENT,  TCP_ST_SYN_RECV,   TCP_ST_FIN_WAIT1,
    TCP_ST_FIN_WAIT2,   TCP_ST_TIME_WAIT, TCP_ST_CLOSE_WAIT, TCP_ST_CLOSING,
    TCP_ST_LAST_ACK,    TCP_ST_CLOSE,     TCP_ST_LISTEN,
};
const unsigned int tcp_states_documented_count =
    sizeof(tcp_states_documented) / sizeof(tcp_states_documented[0]);

const struct tcp_state_info *tcp_state_info(unsigned int state)
{
	if (state == TCP_ST_NEW_SYN_RECV)
		state = TCP_ST_SYN_RECV;
	if (state >= TCP_ST_MAX || !table[state].netstat_name)
		return NULL;
	return &table[state];
}

const char *tcp_state_name(unsigned int state)
{
	const struct tcp_state_info *info = tcp_state_info(state);
	return info ? info->netstat_name : "UNKNOWN";
}

const char *tcp_state_label(unsigned int state)
{
	static const char *const labels[TCP_ST_MAX] = {
	    [TCP_ST_ESTABLISHED] = "established",
	    [TCP_ST_SYN_SENT] = "syn_sent",
	    [TCP_ST_SYN_RECV] = "syn_recv",
	    [TCP_ST_FIN_WAIT1] = "fin_wait1",
	    [TCP_ST_FIN_WAIT2] = "fin_wait2",
	    [TCP_ST_TIME_WAIT] = "time_wait",
	    [TCP_ST_CLOSE] = "closed",
	    [TCP_ST_CLOSE_WAIT] = "close_wait",
	    [TCP_ST_LAST_ACK] = "last_ack",
	    [TCP_ST_LISTEN] = "listen",
	    [TCP_ST_CLOSING] = "closing",
	    [TCP_ST_NEW_SYN_RECV] = "syn_recv",
	};
	return state < TCP_ST_MAX && labels[state] ? labels[state] : "unknown";
}

static const struct {
	const char *alias;
	enum tcp_state state;
} aliases[] = {
    {"estab", TCP_ST_ESTABLISHED},     {"syn_recv", TCP_ST_SYN_RECV},
    {"syn-received", TCP_ST_SYN_RECV}, {"syn_received", TCP_ST_SYN_RECV},
    {"fin_wait_1", TCP_ST_FIN_WAIT1},  {"fin-wait1", TCP_ST_FIN_WAIT1},
    {"fin_wait_2", TCP_ST_FIN_WAIT2},  {"fin-wait2", TCP_ST_FIN_WAIT2},
    {"timewait", TCP_ST_TIME_WAIT},    {"close", TCP_ST_CLOSE},
    {"closewait", TCP_ST_CLOSE_WAIT},  {"listen", TCP_ST_LISTEN},
    {"lastack", TCP_ST_LAST_ACK},
};

enum tcp_state tcp_state_parse(const char *name)
{
	if (!name || !*name)
		return TCP_ST_UNKNOWN;
	for (unsigned int s = 1; s < TCP_ST_MAX; s++) {
		if (!table[s].netstat_name)
			continue;
		if (!strcasecmp(name, table[s].netstat_name) || !strcasecmp(name, table[s].ss_name))
			return (enum tcp_state)s;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(name, aliases[i].alias))
			return aliases[i].state;
	return TCP_ST_UNKNOWN;
}
