/* Fuzzes the recording reader (recording_io.c, recording.c): what `--replay` of a recording and
 * the recorder's check of an existing file read. The first byte picks the layer:
 *   even: the rest is a whole recording file, read through the index, the zstd frames and every
 *         refresh's decode, as `live --replay` plays it;
 *   odd:  the rest is a series of uncompressed frame payloads, each "u8 kind, u32 length (LE),
 *         payload", decoded one after the other into one decoder: the CRC and zstd layers would
 *         otherwise keep nearly every mutation away from the row decoder.
 * Every refresh that decodes must give rows the rest of the program can trust. */
#include "fuzz.h"

#include "recording_io.h"

#include <stdio.h>
#include <sys/socket.h>

static void check_rows(const struct rec_decoder *d)
{
	struct snapshot snap;
	snapshot_init(&snap);
	if (rec_decoder_snapshot(d, &snap) == 0)
		for (size_t i = 0; i < snap.count; i++) {
			const struct conn *c = &snap.conns[i];
			if ((c->family != AF_INET && c->family != AF_INET6) ||
			    c->state >= TCP_ST_MAX || c->flags != 0 || c->timer > 4)
				abort();
		}
	snapshot_free(&snap);
}

static void fuzz_file(const uint8_t *data, size_t size)
{
	if (!size) /* fmemopen takes no empty buffer; the empty file is an integration test */
		return;
	void *copy = fuzz_exact_copy(data, size);
	FILE *f = copy ? fmemopen(copy, size, "rb") : NULL;
	if (!f) {
		free(copy);
		return;
	}
	struct rec_reader r;
	struct cw_error err = {0};
	int rc = rec_reader_open_stream(&r, f, "fuzz.rec", &err);
	if (rc < 0 && !err.msg[0])
		abort();
	for (size_t i = 0; rc == 0 && i < r.count; i++) {
		if (rec_reader_seek(&r, i, &err) < 0) {
			/* a refresh that does not decode becomes the damage */
			if (!err.msg[0] || !r.damaged || r.count != i)
				abort();
			break;
		}
		check_rows(&r.dec);
	}
	rec_reader_close(&r);
	free(copy);
}

static void fuzz_payloads(const uint8_t *data, size_t size)
{
	struct rec_decoder d;
	rec_decoder_init(&d);
	while (size >= 5) {
		uint8_t kind = data[0];
		size_t len = (size_t)bytes_load_le(data + 1, 4);
		data += 5;
		size -= 5;
		if (len > size)
			len = size;
		uint8_t *p = fuzz_exact_copy(data, len);
		if (!p)
			break;
		struct cw_error err = {0};
		int rc = rec_decode(&d, (enum rec_frame_kind)kind, 1700000000000, p, len, &err);
		free(p);
		if (rc < 0 && !err.msg[0])
			abort();
		if (rc == 0)
			check_rows(&d);
		data += len;
		size -= len;
	}
	rec_decoder_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_payloads(data + 1, size - 1);
	else
		fuzz_file(data + 1, size - 1);
	return 0;
}
