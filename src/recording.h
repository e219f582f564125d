/* The recording format's payload (pure: buffers in, buffers out; recording_io.c does files and
 * compression). A recording is a file header and one frame per refresh. A frame carries the
 * refresh's time, per-state counts, kernel counters and warnings, and its rows: all of them
 * (a full frame: the first of a file, or after a restart), else only what changed since the frame
 * before (rows that are new, closed, or changed in a way the views show: state, owner, inode,
 * a listener's queue, or another queue by REC_QUEUE_STEP bytes or more).
 *
 * Writer and reader keep the same "state": the rows as the recording knows them, in the order
 * both rebuild the same way (a full frame's rows as written; after a delta, the rows that stay in
 * their order, then the new ones), so a closed or changed row is named by its index in the
 * previous state. Rows are stored column by column (all local addresses, then all remote ones,
 * ...): the same values sit together and zstd squeezes them well. */
#ifndef CW_RECORDING_H
#define CW_RECORDING_H

#include "diagnose.h"
#include "error.h"
#include "kcounters.h"
#include "snapshot.h"
#include "states.h"
#include "util/bytes.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Version 1 is the one-snapshot raw netlink recording of `list --record` (source_replay.c, magic
 * "CWR1" at the start); version 2 is this one. */
#define REC_VERSION 2
#define REC_MAGIC                                                                                  \
	"\x89"                                                                                     \
	"CWREC\r\n" /* 8 bytes; the \r\n catches text-mode copies */
#define REC_MAGIC_LEN   8
#define REC_HEADER_SIZE 16 /* magic, u16 version, u16 header size, u32 flags (0) */

enum rec_frame_kind {
	REC_FRAME_FULL = 1,
	REC_FRAME_DELTA = 2,
};

/* A queue change smaller than this is not recorded (listeners: every change is). */
#define REC_QUEUE_STEP 4096u

#define REC_WARNING_ID_MAX 32

struct rec_warning {
	char id[REC_WARNING_ID_MAX]; /* rule id, "syn_flood" */
	uint8_t severity;            /* enum diag_severity */
	int32_t port;                /* -1: none */
	char message[256];           /* as the recorder said it (its language) */
};

/* What a refresh records besides its rows. */
struct rec_meta {
	int64_t wall_ms; /* Unix time of the refresh, milliseconds */
	uint32_t interval_ms;
	uint64_t by_state[TCP_ST_MAX]; /* TCP rows per state, UDP rows not included */
	struct kcounters counters;
	struct rec_warning *warnings; /* owned by whoever filled it */
	size_t warning_count, warning_cap;
};

void rec_meta_init(struct rec_meta *m);
void rec_meta_free(struct rec_meta *m);
/* Fills counts from snap, warnings from report (may be NULL), counters from kc (may be NULL:
 * unknown). Returns 0 or -ENOMEM. */
int rec_meta_fill(struct rec_meta *m, int64_t wall_ms, uint32_t interval_ms,
                  const struct snapshot *snap, const struct kcounters *kc,
                  const struct diag_report *report);

/* One row as the recording knows it, and when (wall ms) it was last written: the reader ages
 * the timers by the time since. */
struct rec_row {
	struct conn c;
	int64_t at_ms;
	int64_t state_ms; /* reader: when the recording saw it enter its state */
	bool baseline;    /* reader: came with a full frame (was there before; its age unknown) */
};

struct rec_rows {
	struct rec_row *rows;
	size_t count, cap;
};

void rec_rows_free(struct rec_rows *r);

/* A total order of rows (identity: protocol, family, addresses, ports; then inode, then every
 * other field), for comparing two tables whatever their order (tests). */
int recording_row_cmp(const void *a, const void *b);

/* ---- writer side ---- */

struct rec_encoder {
	struct rec_rows state; /* what the reader will have after the last committed frame */
	struct rec_rows next;  /* the state after the frame being encoded */
	struct rec_rows cur;   /* scratch: a copy of the snapshot */
	bool have_state;
};

void rec_encoder_init(struct rec_encoder *e);
void rec_encoder_free(struct rec_encoder *e);

/* Encodes one refresh into out (cleared first): a full frame when full is true or nothing was
 * committed yet, else a delta. *kind says which. The state moves on only at
 * rec_encoder_commit(), so the caller may encode the same refresh again as a full frame (a
 * rotation starts a new file). Returns 0 or -ENOMEM. */
int rec_encode(struct rec_encoder *e, const struct snapshot *snap, const struct rec_meta *meta,
               bool full, struct bytebuf *out, enum rec_frame_kind *kind);
void rec_encoder_commit(struct rec_encoder *e);

/* ---- reader side ---- */

struct rec_decoder {
	struct rec_rows state;
	struct rec_rows scratch;
	struct rec_meta meta; /* of the last decoded frame */
	bool have_state;
};

void rec_decoder_init(struct rec_decoder *d);
void rec_decoder_free(struct rec_decoder *d);
void rec_decoder_reset(struct rec_decoder *d); /* forget the state (before a full frame) */

/* Applies one frame's payload. A delta needs the state of the frame before it. Returns 0, or
 * -EBADMSG (err says what is wrong) with the state left as it was, or -ENOMEM. */
int rec_decode(struct rec_decoder *d, enum rec_frame_kind kind, int64_t wall_ms, const uint8_t *raw,
               size_t len, struct cw_error *err);

/* The rows at the last decoded frame, as a snapshot (timers aged to the frame's time). Clears
 * snap first. Returns 0 or -ENOMEM. */
int rec_decoder_snapshot(const struct rec_decoder *d, struct snapshot *snap);

#endif
