/* Recording files: the writer appends one zstd-compressed frame per refresh (recording.h has the
 * payload), the reader indexes a file's frames and decodes any of them. Append-only: each frame
 * goes out in one write() and is synced, so a crash loses at most the refresh being written; a
 * frame cut short (a torn tail) or damaged stops the index there, and everything before it
 * still reads.
 *
 * Frame header, 32 bytes, little-endian: u32 magic "CWF2", u8 kind, 3 zero bytes, u32 length
 * of the compressed payload, u32 length uncompressed, i64 wall time in ms, u32 CRC-32 of these
 * 24 bytes, u32 CRC-32 of the payload. The header's own checksum tells a damaged length (the
 * middle of a file) from a frame cut short (its end). */
#ifndef CW_RECORDING_IO_H
#define CW_RECORDING_IO_H

#include "error.h"
#include "recording.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define REC_FRAME_HEADER_SIZE 32
#define REC_FRAME_MAGIC       0x32465743u /* "CWF2" */
/* Bounds checked before anything is allocated from a length read in a file. */
#define REC_MAX_PAYLOAD (256u << 20)
#define REC_MAX_RAW     (1024u << 20)

#define REC_DEFAULT_MAX_SIZE (1ull << 30)
#define REC_MIN_MAX_SIZE     (1ull << 20)

/* True when the file starts with the magic of this format (version 2 or later). */
bool rec_file_is_recording(const char *path);

struct rec_writer {
	int fd;
	const char *path; /* borrowed */
	char *rotated;    /* path + ".1"; owned */
	uint64_t size;
	uint64_t max_size; /* the file and its rotated predecessor together */
	struct rec_encoder enc;
	struct bytebuf raw, frame;
	void *cctx; /* ZSTD_CCtx */
	unsigned long frames;
	unsigned long rotations;
};

/* Opens path to append (creating it 0640). An existing recording is checked first: a torn last
 * frame is cut off, and note (may be NULL) says so; anything else that is not a clean recording
 * of this version is refused (-EBADMSG), not overwritten. The first frame written is full.
 * max_size bounds the file and path.1 together. Returns 0 or a negative errno with err set. */
int rec_writer_open(struct rec_writer *w, const char *path, uint64_t max_size, char *note,
                    size_t note_len, struct cw_error *err);

/* Appends one refresh; when the file would pass half of max_size it is renamed path.1 (the
 * older one goes) and a new file starts with a full frame. Returns 0 or a negative errno. */
int rec_writer_append(struct rec_writer *w, const struct snapshot *snap,
                      const struct rec_meta *meta, struct cw_error *err);

void rec_writer_close(struct rec_writer *w);

struct rec_frame_ref {
	uint64_t offset; /* of the frame header */
	int64_t wall_ms;
	uint32_t payload_len, raw_len;
	uint8_t kind;
};

struct rec_reader {
	FILE *f;    /* owned */
	char *name; /* owned copy, for messages */
	struct rec_frame_ref *frames;
	size_t count, cap;
	/* The first damage: frames from here on are not read. The message is complete:
	 * "FILE: damaged at byte N: what". */
	bool damaged;
	bool torn; /* the damage is a last frame cut short (a crash while writing) */
	uint64_t damage_offset;
	char damage[sizeof(((struct cw_error *)0)->msg)];
	struct rec_decoder dec;
	size_t current; /* the frame dec holds, or SIZE_MAX */
	void *dctx;     /* ZSTD_DCtx */
	struct bytebuf comp, raw;
};

#define REC_NO_FRAME ((size_t)-1)

/* Opens and indexes path. Returns 0 (damage is not an error here: see r->damaged), or a negative
 * errno with err set when the file cannot be read or is not a recording of this format. */
int rec_reader_open(struct rec_reader *r, const char *path, struct cw_error *err);

/* The same over an open stream (tests and the fuzz harness use fmemopen); takes f. */
int rec_reader_open_stream(struct rec_reader *r, FILE *f, const char *name, struct cw_error *err);

void rec_reader_close(struct rec_reader *r);

/* Decodes frame i into r->dec. A frame that fails to decode becomes the damage (r->count drops
 * to i) and -EBADMSG is returned with err set. */
int rec_reader_seek(struct rec_reader *r, size_t i, struct cw_error *err);

/* The last frame recorded at or before wall_ms, or REC_NO_FRAME. */
size_t rec_reader_find(const struct rec_reader *r, int64_t wall_ms);

#endif
