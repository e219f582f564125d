/* How many rows a dump of our own namespace is about to give, read from /proc/net/sockstat and
 * sockstat6 (a few microseconds) before the dump, so that a table that is kept whole is sized
 * once (snapshot_expect). An estimate only: request sockets (SYN_RECV) are not counted and
 * sockets come and go between the two reads. */
#ifndef CW_ROW_ESTIMATE_H
#define CW_ROW_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>

/* Adds up, in the text of sockstat or sockstat6, TCP's inuse and tw (tcp) and UDP's inuse (udp)
 * over the lines "TCP:", "TCP6:", "UDP:" and "UDP6:". Malformed or absent fields count 0; the
 * sum is capped at ROW_ESTIMATE_MAX. Pure. */
#define ROW_ESTIMATE_MAX ((size_t)1 << 26)
size_t row_estimate_parse(const char *text, size_t len, bool tcp, bool udp);

/* The estimate for our namespace's /proc/net, or 0 when it cannot be read. */
size_t row_estimate_read(bool tcp, bool udp);

#endif
