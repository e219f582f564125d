/* Parsing of sock_diag replies, shared by the live netlink source and the replay source. */
#ifndef CW_SOURCE_NETLINK_H
#define CW_SOURCE_NETLINK_H

#include "error.h"
#include "snapshot.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NETLINK_PARSE_MORE 1 /* the buffer ended inside a dump: read more */
#define NETLINK_PARSE_DONE 0 /* NLMSG_DONE seen */

/* Parses the netlink messages in buf (one recv's worth) and appends their sockets to snap as
 * proto (enum conn_proto). Returns NETLINK_PARSE_MORE, NETLINK_PARSE_DONE, or a negative errno
 * with err set: -EBADMSG truncated, -EINTR dump interrupted, the kernel's error for NLMSG_ERROR. */
int netlink_parse_messages(const void *buf, size_t len, int proto, struct snapshot *snap,
                           struct cw_error *err);

/* As netlink_parse_messages; a CLOSE_WAIT row without tcp_info takes its time in CLOSE_WAIT
 * (conn.idle_ms) from close_wait_ages (inode -> ms; NULL: none) as it is parsed. */
struct inohash;
int netlink_parse_messages_aged(const void *buf, size_t len, int proto,
                                const struct inohash *close_wait_ages, struct snapshot *snap,
                                struct cw_error *err);

/* A recording (--record) is a sequence of records: this header, then `length` bytes exactly as one
 * recv() returned them. The protocol is kept because sock_diag replies do not carry it. Native
 * byte order: a recording is replayed on the machine kind that made it. */
#define NETLINK_RECORD_MAGIC 0x31525743u /* "CWR1" */
struct netlink_record_header {
	uint32_t magic;
	uint32_t proto;  /* enum conn_proto */
	uint32_t length; /* bytes that follow */
};

/* The last record of a complete recording: this proto and length 0. Without it a recording cut
 * at a record boundary would replay as a valid, smaller socket table. */
#define NETLINK_RECORD_END 0xffffffffu

/* Appends one record. Returns 0 or -EIO. */
int netlink_record_write(FILE *out, int proto, const void *buf, size_t len);

#endif
