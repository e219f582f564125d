#include "recording_io.h"

#include "i18n.h"
#include "util/grow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* zstd's default level: a delta frame of a busy server compresses to a few KiB in well under a
 * millisecond. */
#define REC_ZSTD_LEVEL 3

bool rec_file_is_recording(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char magic[REC_MAGIC_LEN];
	bool yes = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
	           !memcmp(magic, REC_MAGIC, REC_MAGIC_LEN);
	fclose(f);
	return yes;
}

static void header_bytes(uint8_t out[REC_HEADER_SIZE])
{
	memcpy(out, REC_MAGIC, REC_MAGIC_LEN);
	bytes_store_le(out + 8, REC_VERSION, 2);
	bytes_store_le(out + 10, REC_HEADER_SIZE, 2);
	bytes_store_le(out + 12, 0, 4);
}

/* Checks the file header; -EBADMSG with a message naming what the file is instead. */
static int check_header(const uint8_t *h, size_t got, const char *name, struct cw_error *err)
{
	if (got < REC_MAGIC_LEN || memcmp(h, REC_MAGIC, REC_MAGIC_LEN))
		return cw_error_set(err, -EBADMSG, _("%s is not a connwatch recording"), name);
	if (got < REC_HEADER_SIZE)
		return cw_error_set(err, -EBADMSG, _("%s: the recording's header is cut short"),
		                    name);
	unsigned version = (unsigned)bytes_load_le(h + 8, 2);
	if (version != REC_VERSION || bytes_load_le(h + 10, 2) != REC_HEADER_SIZE)
		return cw_error_set(
		    err, -EBADMSG,
		    _("%s: recording format version %u; this connwatch reads version "
		      "%u (and the one-snapshot netlink recordings of version 1)"),
		    name, version, REC_VERSION);
	return 0;
}

/* ---- reader ---- */

static void reader_damage(struct rec_reader *r, uint64_t offset, bool torn, const char *what)
{
	r->damaged = true;
	r->torn = torn;
	r->damage_offset = offset;
	snprintf(r->damage, sizeof(r->damage), _("%s: damaged at byte %llu: %s"), r->name,
	         (unsigned long long)offset, what);
}

static int reader_index(struct rec_reader *r, struct cw_error *err)
{
	uint8_t h[REC_FRAME_HEADER_SIZE];
	uint64_t offset = REC_HEADER_SIZE;
	for (;;) {
		size_t got = fread(h, 1, sizeof(h), r->f);
		if (got == 0 && feof(r->f))
			return 0;
		if (ferror(r->f))
			return cw_error_set(err, -EIO, _("cannot read %s: %s"), r->name,
			                    strerror(errno));
		if (got < sizeof(h)) {
			reader_damage(r, offset, true,
			              _("the last refresh is cut short (written when the recorder "
			                "stopped); skipped"));
			return 0;
		}
		struct rec_frame_ref f = {
		    .offset = offset,
		    .kind = h[4],
		    .payload_len = (uint32_t)bytes_load_le(h + 8, 4),
		    .raw_len = (uint32_t)bytes_load_le(h + 12, 4),
		    .wall_ms = (int64_t)bytes_load_le(h + 16, 8),
		};
		if (bytes_crc32(0, h, 24) != bytes_load_le(h + 24, 4)) {
			reader_damage(r, offset, false,
			              _("checksum mismatch in a refresh's header"));
			return 0;
		}
		if (bytes_load_le(h, 4) != REC_FRAME_MAGIC ||
		    (f.kind != REC_FRAME_FULL && f.kind != REC_FRAME_DELTA) || h[5] || h[6] ||
		    h[7] || f.payload_len > REC_MAX_PAYLOAD || f.raw_len > REC_MAX_RAW) {
			reader_damage(r, offset, false, _("not the start of a refresh"));
			return 0;
		}
		if (!bytebuf_reserve(&r->comp, f.payload_len))
			return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		if (fread(r->comp.data, 1, f.payload_len, r->f) != f.payload_len) {
			if (ferror(r->f))
				return cw_error_set(err, -EIO, _("cannot read %s: %s"), r->name,
				                    strerror(errno));
			reader_damage(r, offset, true,
			              _("the last refresh is cut short (written when the recorder "
			                "stopped); skipped"));
			return 0;
		}
		if (bytes_crc32(0, r->comp.data, f.payload_len) != bytes_load_le(h + 28, 4)) {
			reader_damage(r, offset, false, _("checksum mismatch"));
			return 0;
		}
		size_t cap = grow_capacity(r->cap, r->count + 1, 256);
		if (cap != r->cap) {
			if (grow_array(&r->frames, cap, sizeof(*r->frames)) < 0)
				return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
			r->cap = cap;
		}
		r->frames[r->count++] = f;
		offset += sizeof(h) + f.payload_len;
	}
}

int rec_reader_open_stream(struct rec_reader *r, FILE *f, const char *name, struct cw_error *err)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->current = REC_NO_FRAME;
	rec_decoder_init(&r->dec);
	bytebuf_init(&r->comp);
	bytebuf_init(&r->raw);
	r->name = strdup(name);
	r->dctx = ZSTD_createDCtx();
	if (!r->name || !r->dctx)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	uint8_t h[REC_HEADER_SIZE];
	size_t got = fread(h, 1, sizeof(h), f);
	int rc = check_header(h, got, name, err);
	if (rc < 0)
		return rc;
	return reader_index(r, err);
}

int rec_reader_open(struct rec_reader *r, const char *path, struct cw_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		memset(r, 0, sizeof(*r));
		return cw_error_set(err, -errno, _("cannot open recording %s: %s"), path,
		                    strerror(errno));
	}
	return rec_reader_open_stream(r, f, path, err);
}

void rec_reader_close(struct rec_reader *r)
{
	if (r->f)
		fclose(r->f);
	free(r->name);
	free(r->frames);
	rec_decoder_free(&r->dec);
	ZSTD_freeDCtx(r->dctx);
	bytebuf_free(&r->comp);
	bytebuf_free(&r->raw);
	memset(r, 0, sizeof(*r));
}

static int decode_one(struct rec_reader *r, size_t i, struct cw_error *err)
{
	const struct rec_frame_ref *f = &r->frames[i];
	struct cw_error why = {0};
	const char *what = NULL;
	if (fseeko(r->f, (off_t)(f->offset + REC_FRAME_HEADER_SIZE), SEEK_SET) < 0 ||
	    !bytebuf_reserve(&r->comp, f->payload_len) ||
	    fread(r->comp.data, 1, f->payload_len, r->f) != f->payload_len)
		return cw_error_set(err, -EIO, _("cannot read %s: %s"), r->name, strerror(errno));
	bytebuf_reset(&r->raw);
	if (!bytebuf_reserve(&r->raw, f->raw_len ? f->raw_len : 1))
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	size_t n =
	    ZSTD_decompressDCtx(r->dctx, r->raw.data, f->raw_len, r->comp.data, f->payload_len);
	if (ZSTD_isError(n) || n != f->raw_len) {
		what = _("the compressed refresh does not unpack");
	} else {
		int rc = rec_decode(&r->dec, (enum rec_frame_kind)f->kind, f->wall_ms, r->raw.data,
		                    n, &why);
		if (rc == -ENOMEM)
			return cw_error_set(err, rc, "%s", why.msg);
		if (rc < 0)
			what = why.msg;
	}
	if (what) {
		reader_damage(r, f->offset, false, what);
		r->count = i;
		r->current = REC_NO_FRAME;
		rec_decoder_reset(&r->dec);
		return cw_error_set(err, -EBADMSG, "%s", r->damage);
	}
	return 0;
}

int rec_reader_seek(struct rec_reader *r, size_t i, struct cw_error *err)
{
	if (i >= r->count)
		return cw_error_set(err, -ERANGE, "%s", _("no such refresh in the recording"));
	if (r->current == i)
		return 0;
	size_t start = i;
	while (start > 0 && r->frames[start].kind != REC_FRAME_FULL)
		start--;
	if (r->current != REC_NO_FRAME && r->current >= start && r->current < i)
		start = r->current + 1;
	else
		rec_decoder_reset(&r->dec);
	for (size_t k = start; k <= i; k++) {
		int rc = decode_one(r, k, err);
		if (rc < 0) {
			r->current = REC_NO_FRAME;
			return rc;
		}
		r->current = k;
	}
	return 0;
}

size_t rec_reader_find(const struct rec_reader *r, int64_t wall_ms)
{
	/* Linear and from the end: the clock may have been stepped back while recording, and
	 * the newest refresh at or before the time is the one meant. */
	for (size_t i = r->count; i-- > 0;)
		if (r->frames[i].wall_ms <= wall_ms)
			return i;
	return REC_NO_FRAME;
}

/* ---- writer ---- */

/* Checks an existing file before appending: a torn tail is cut off, other damage refused. */
static int writer_check_existing(struct rec_writer *w, char *note, size_t note_len,
                                 struct cw_error *err)
{
	int fd = dup(w->fd);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return cw_error_set(err, -errno, _("cannot read %s: %s"), w->path, strerror(errno));
	}
	rewind(f);
	struct rec_reader r;
	int rc = rec_reader_open_stream(&r, f, w->path, err);
	if (rc == -EBADMSG) {
		char why[sizeof(err->msg)];
		memcpy(why, err->msg, sizeof(why));
		cw_error_set(err, rc,
		             _("%s exists and is not a recording connwatch can append to: %s"),
		             w->path, why);
	}
	if (rc == 0 && r.damaged && !r.torn)
		rc = cw_error_set(err, -EBADMSG,
		                  _("%s; not appending after the damage (move the file away)"),
		                  r.damage);
	if (rc == 0 && r.damaged) {
		if (ftruncate(w->fd, (off_t)r.damage_offset) < 0)
			rc = cw_error_set(err, -errno, _("cannot cut the torn end of %s: %s"),
			                  w->path, strerror(errno));
		else if (note)
			snprintf(note, note_len,
			         _("%s: the last refresh was cut short at byte %llu (the recorder "
			           "stopped while writing it); it was removed"),
			         w->path, (unsigned long long)r.damage_offset);
		w->size = r.damage_offset;
	}
	rec_reader_close(&r);
	return rc;
}

static int writer_open_file(struct rec_writer *w, char *note, size_t note_len, struct cw_error *err)
{
	w->fd = open(w->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (w->fd < 0)
		return cw_error_set(err, -errno, _("cannot open %s: %s"), w->path, strerror(errno));
	struct stat st;
	if (fstat(w->fd, &st) < 0)
		return cw_error_set(err, -errno, _("cannot read %s: %s"), w->path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cw_error_set(err, -EINVAL, _("%s is not a regular file"), w->path);
	w->size = (uint64_t)st.st_size;
	if (w->size > 0)
		return writer_check_existing(w, note, note_len, err);
	uint8_t h[REC_HEADER_SIZE];
	header_bytes(h);
	if (write(w->fd, h, sizeof(h)) != (ssize_t)sizeof(h))
		return cw_error_set(err, -EIO, _("cannot write %s: %s"), w->path, strerror(errno));
	w->size = sizeof(h);
	return 0;
}

int rec_writer_open(struct rec_writer *w, const char *path, uint64_t max_size, char *note,
                    size_t note_len, struct cw_error *err)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->path = path;
	w->max_size = max_size;
	if (note && note_len)
		note[0] = '\0';
	rec_encoder_init(&w->enc);
	bytebuf_init(&w->raw);
	bytebuf_init(&w->frame);
	w->cctx = ZSTD_createCCtx();
	size_t plen = strlen(path);
	w->rotated = malloc(plen + 3);
	if (!w->cctx || !w->rotated)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	memcpy(w->rotated, path, plen);
	memcpy(w->rotated + plen, ".1", 3);
	return writer_open_file(w, note, note_len, err);
}

/* Compresses w->raw into w->frame with its header. */
static int writer_frame(struct rec_writer *w, enum rec_frame_kind kind, int64_t wall_ms)
{
	size_t bound = ZSTD_compressBound(w->raw.len);
	bytebuf_reset(&w->frame);
	if (!bytebuf_reserve(&w->frame, REC_FRAME_HEADER_SIZE + bound))
		return -ENOMEM;
	uint8_t *h = w->frame.data;
	size_t n = ZSTD_compressCCtx(w->cctx, h + REC_FRAME_HEADER_SIZE, bound, w->raw.data,
	                             w->raw.len, REC_ZSTD_LEVEL);
	if (ZSTD_isError(n) || n > REC_MAX_PAYLOAD || w->raw.len > REC_MAX_RAW)
		return -EFBIG;
	bytes_store_le(h, REC_FRAME_MAGIC, 4);
	h[4] = (uint8_t)kind;
	h[5] = h[6] = h[7] = 0;
	bytes_store_le(h + 8, n, 4);
	bytes_store_le(h + 12, w->raw.len, 4);
	bytes_store_le(h + 16, (uint64_t)wall_ms, 8);
	bytes_store_le(h + 24, bytes_crc32(0, h, 24), 4);
	bytes_store_le(h + 28, bytes_crc32(0, h + REC_FRAME_HEADER_SIZE, n), 4);
	w->frame.len = REC_FRAME_HEADER_SIZE + n;
	return 0;
}

static int writer_encode(struct rec_writer *w, const struct snapshot *snap,
                         const struct rec_meta *meta, bool full, struct cw_error *err)
{
	enum rec_frame_kind kind;
	int rc = rec_encode(&w->enc, snap, meta, full, &w->raw, &kind);
	if (rc == 0)
		rc = writer_frame(w, kind, meta->wall_ms);
	if (rc == -EFBIG)
		return cw_error_set(err, rc, _("%s: one refresh is too large to record"), w->path);
	if (rc < 0)
		return cw_error_set(err, rc, "%s", _("out of memory"));
	return 0;
}

static int writer_rotate(struct rec_writer *w, struct cw_error *err)
{
	if (rename(w->path, w->rotated) < 0)
		return cw_error_set(err, -errno, _("cannot rename %s to %s: %s"), w->path,
		                    w->rotated, strerror(errno));
	close(w->fd);
	w->rotations++;
	return writer_open_file(w, NULL, 0, err);
}

int rec_writer_append(struct rec_writer *w, const struct snapshot *snap,
                      const struct rec_meta *meta, struct cw_error *err)
{
	int rc = writer_encode(w, snap, meta, w->frames == 0, err);
	if (rc < 0)
		return rc;
	/* Each file holds at most half the budget, so it and its predecessor stay within it. A
	 * file always takes its first frame, however large. */
	if (w->size > REC_HEADER_SIZE && w->size + w->frame.len > w->max_size / 2) {
		rc = writer_rotate(w, err);
		if (rc == 0)
			rc = writer_encode(w, snap, meta, true, err);
		if (rc < 0)
			return rc;
	}
	/* One write of the whole frame: O_APPEND places it at the end, and a crash leaves at most
	 * this frame torn, which the reader detects. */
	ssize_t n = write(w->fd, w->frame.data, w->frame.len);
	if (n != (ssize_t)w->frame.len) {
		int e = n < 0 ? errno : ENOSPC;
		/* leave no partial frame behind for the next one to follow */
		if (n > 0 && ftruncate(w->fd, (off_t)w->size) < 0)
			e = errno;
		return cw_error_set(err, -e, _("cannot write %s: %s"), w->path, strerror(e));
	}
	/* On disk before the next refresh: a power cut loses at most the refresh being written. */
	if (fdatasync(w->fd) < 0 && errno != EINVAL)
		return cw_error_set(err, -errno, _("cannot write %s: %s"), w->path,
		                    strerror(errno));
	w->size += w->frame.len;
	w->frames++;
	rec_encoder_commit(&w->enc);
	return 0;
}

void rec_writer_close(struct rec_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	rec_encoder_free(&w->enc);
	bytebuf_free(&w->raw);
	bytebuf_free(&w->frame);
	ZSTD_freeCCtx(w->cctx);
	free(w->rotated);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
}
