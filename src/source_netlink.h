/* Parsing of sock_diag replies, shared by the live netlink source and the replay source. */
#ifndef CW_SOURCE_NETLINK_H
#define CW_SOURCE_NETLINK_H

#include "error.h"
#include "snapshot.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NETLINK_PARSE_MORE 1 /* the buffer ended inside a dump: read more */
#define NETLINK_PARSE_DONE 0 /* NLMSG_DONE seen */

/* Times a dump is repeated when the kernel flags it interrupted (NLM_F_DUMP_INTR: sockets
 * changed while it walked its tables); after the last, what came is kept with a note. */
#define NETLINK_DUMP_INTR_TRIES 3

struct inohash;

/* One dump as its replies arrive. Zero it before the dump's first reply. */
struct netlink_dump {
	uint32_t seq;          /* the request's sequence number ... */
	uint32_t portid;       /* ... and our socket's port id: a reply with others is not ours */
	bool ids_known;        /* false: not checked (a replay: a recording has no requests) */
	bool interrupted;      /* NLM_F_DUMP_INTR seen: read on to NLMSG_DONE, then repeat */
	unsigned long foreign; /* replies skipped because their ids were not ours */
	/* inode -> ms in CLOSE_WAIT, or NULL: a CLOSE_WAIT row without tcp_info takes its time
	 * in CLOSE_WAIT (conn.idle_ms) from here as it is parsed */
	const struct inohash *close_wait_ages;
};

/* Parses the netlink messages in buf (one recv's worth) of dump d and appends their sockets to
 * snap as proto (enum conn_proto), as iproute2 reads a dump: replies of another sequence or port
 * id are skipped, an interrupted dump is read to its end (d->interrupted tells the caller to
 * repeat it), and an error carried in NLMSG_DONE is an error. Returns NETLINK_PARSE_MORE,
 * NETLINK_PARSE_DONE, or a negative errno with err set: -EBADMSG truncated, the kernel's error
 * for NLMSG_ERROR or in NLMSG_DONE. */
int netlink_parse_dump(const void *buf, size_t len, int proto, struct netlink_dump *d,
                       struct snapshot *snap, struct cw_error *err);

/* The same without a dump's context (the fuzzer and unit tests of single replies): no id
 * checks, and an interrupted reply is -EINTR at once. */
int netlink_parse_messages(const void *buf, size_t len, int proto, struct snapshot *snap,
                           struct cw_error *err);

/* Notes that a dump was still interrupted after NETLINK_DUMP_INTR_TRIES attempts. */
void netlink_note_inconsistent(struct snapshot *snap);

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
