#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source.h"
#include "netlink_build.h"
#include "source_netlink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The recorded dump of tests/fixtures/netlink (made by make-recording.sh in a private netns). */
struct blob {
	char *data;
	size_t len;
};

static struct blob fixture(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/netlink/%s", getenv("FIXTURES"), name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct blob b = {0};
	size_t cap = 0;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > cap) {
			cap = (b.len + n) * 2;
			b.data = realloc(b.data, cap);
			assert_non_null(b.data);
		}
		memcpy(b.data + b.len, chunk, n);
		b.len += n;
	}
	fclose(f);
	return b;
}

/* Replays len bytes of data from a temporary file; returns fill's result, err and snap filled. */
static int replay(const char *data, size_t len, struct snapshot *snap, struct cw_error *err,
                  char *path, size_t path_len)
{
	snprintf(path, path_len, "/tmp/cw-replay-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	struct source_request req = {.tcp_states = TCP_STATES_ALL,
	                             .udp = true,
	                             .ipv4 = true,
	                             .ipv6 = true,
	                             .input_path = path};
	snapshot_init(snap);
	memset(err, 0, sizeof(*err));
	int r = source_replay.fill(&req, snap, err);
	unlink(path);
	return r;
}

static size_t count_lines(const struct blob *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

static void replays_the_whole_recording(void **state)
{
	(void)state;
	struct blob rec = fixture("loopback-states.rec");
	struct blob txt = fixture("loopback-states.txt");
	struct snapshot snap;
	struct cw_error err;
	char path[64];
	assert_int_equal(replay(rec.data, rec.len, &snap, &err, path, sizeof(path)), 0);
	/* one row per line of what the live read printed, less its header */
	assert_int_equal(snap.count, count_lines(&txt) - 1);
	assert_int_equal(snap.skipped, 0);
	snapshot_free(&snap);
	free(rec.data);
	free(txt.data);
}

/* Every cut of the recording, at every byte, is an error that names the file: never a crash,
 * never a silently smaller table (a cut at a record boundary lacks the end marker). */
static void every_truncation_is_an_error(void **state)
{
	(void)state;
	struct blob rec = fixture("loopback-states.rec");
	for (size_t cut = 0; cut < rec.len; cut++) {
		struct snapshot snap;
		struct cw_error err;
		char path[64];
		int r = replay(rec.data, cut, &snap, &err, path, sizeof(path));
		if (r >= 0)
			fail_msg("a recording cut at byte %zu of %zu replayed without error", cut,
			         rec.len);
		assert_non_null(strstr(err.msg, path));
		snapshot_free(&snap);
	}
	free(rec.data);
}

static void corruption_is_an_error(void **state)
{
	(void)state;
	struct blob rec = fixture("loopback-states.rec");
	struct snapshot snap;
	struct cw_error err;
	char path[64];
	char *copy = malloc(rec.len + 64);
	assert_non_null(copy);

	/* bad magic in the first record */
	memcpy(copy, rec.data, rec.len);
	copy[0] ^= 0x55;
	assert_true(replay(copy, rec.len, &snap, &err, path, sizeof(path)) < 0);
	assert_non_null(strstr(err.msg, "record 1: "));
	snapshot_free(&snap);

	/* a record length beyond the file */
	memcpy(copy, rec.data, rec.len);
	uint32_t huge = 0x00ffffff;
	memcpy(copy + offsetof(struct netlink_record_header, length), &huge, sizeof(huge));
	assert_true(replay(copy, rec.len, &snap, &err, path, sizeof(path)) < 0);
	snapshot_free(&snap);

	/* an unknown protocol */
	memcpy(copy, rec.data, rec.len);
	uint32_t proto = 7;
	memcpy(copy + offsetof(struct netlink_record_header, proto), &proto, sizeof(proto));
	assert_true(replay(copy, rec.len, &snap, &err, path, sizeof(path)) < 0);
	snapshot_free(&snap);

	/* a netlink message length that runs past its record */
	memcpy(copy, rec.data, rec.len);
	uint32_t nl_len = 0x7fffffff;
	memcpy(copy + sizeof(struct netlink_record_header), &nl_len, sizeof(nl_len));
	assert_true(replay(copy, rec.len, &snap, &err, path, sizeof(path)) < 0);
	assert_non_null(strstr(err.msg, "record 1: "));
	snapshot_free(&snap);

	/* anything after the end marker */
	memcpy(copy, rec.data, rec.len);
	memcpy(copy + rec.len, rec.data, 16);
	assert_true(replay(copy, rec.len + 16, &snap, &err, path, sizeof(path)) < 0);
	assert_non_null(strstr(err.msg, "after the end"));
	snapshot_free(&snap);

	free(copy);
	free(rec.data);
}

/* A recording made in memory: records appended one by one. */
struct recording {
	char data[16384];
	size_t len;
};

static void record_reply(struct recording *rec, int proto, const struct reply *r)
{
	struct netlink_record_header h = {NETLINK_RECORD_MAGIC, (uint32_t)proto, (uint32_t)r->len};
	assert_true(rec->len + sizeof(h) + r->len <= sizeof(rec->data));
	memcpy(rec->data + rec->len, &h, sizeof(h));
	memcpy(rec->data + rec->len + sizeof(h), r->buf, r->len);
	rec->len += sizeof(h) + r->len;
}

static void record_end(struct recording *rec)
{
	struct reply none = {.len = 0};
	record_reply(rec, (int)NETLINK_RECORD_END, &none);
}

/* One TCP dump of one socket (local port) as request seq got it, interrupted or not. */
static void record_dump(struct recording *rec, uint32_t seq, uint16_t port, bool interrupted)
{
	uint16_t intr = interrupted ? NLM_F_DUMP_INTR : 0;
	struct reply r = {.len = 0};
	add_sock(&r, AF_INET, "127.0.0.1", port, "127.0.0.1", 40000, TCP_ST_ESTABLISHED, 0, 0,
	         intr);
	reply_set_ids(&r, seq, 4711);
	record_reply(rec, CONN_TCP, &r);
	struct reply done = {.len = 0};
	add_done_code(&done, 0, intr);
	reply_set_ids(&done, seq, 4711);
	record_reply(rec, CONN_TCP, &done);
}

/* The live source repeats a dump the kernel flagged interrupted, after reading it to its
 * NLMSG_DONE, and records every attempt: replay keeps the first complete attempt, or the third
 * interrupted one with a note, as the live read did. An error carried in NLMSG_DONE is an
 * error. */
static void repeats_interrupted_dumps(void **state)
{
	(void)state;
	struct snapshot snap;
	struct cw_error err;
	char path[64];

	struct recording rec = {.len = 0};
	record_dump(&rec, 7, 1, true);
	record_dump(&rec, 8, 2, false);
	record_end(&rec);
	assert_int_equal(replay(rec.data, rec.len, &snap, &err, path, sizeof(path)), 0);
	assert_int_equal(snap.count, 1);
	assert_int_equal(snap.conns[0].local_port, 2);
	assert_int_equal(snap.note_count, 0);
	snapshot_free(&snap);

	/* interrupted three times: the last attempt is kept, with a note */
	rec.len = 0;
	record_dump(&rec, 7, 1, true);
	record_dump(&rec, 8, 2, true);
	record_dump(&rec, 9, 3, true);
	record_end(&rec);
	assert_int_equal(replay(rec.data, rec.len, &snap, &err, path, sizeof(path)), 0);
	assert_int_equal(snap.count, 1);
	assert_int_equal(snap.conns[0].local_port, 3);
	assert_int_equal(snap.note_count, 1);
	assert_non_null(strstr(snap.notes[0], "interrupted"));
	snapshot_free(&snap);

	/* NLMSG_DONE carrying an error ends the dump with that error */
	rec.len = 0;
	struct reply e = {.len = 0};
	add_sock(&e, AF_INET, "127.0.0.1", 1, "127.0.0.1", 40000, TCP_ST_ESTABLISHED, 0, 0, 0);
	add_done_code(&e, -ENOBUFS, 0);
	record_reply(&rec, CONN_TCP, &e);
	record_end(&rec);
	assert_int_equal(replay(rec.data, rec.len, &snap, &err, path, sizeof(path)), -ENOBUFS);
	assert_non_null(strstr(err.msg, "ended the socket dump with an error"));
	assert_non_null(strstr(err.msg, "record 1"));
	snapshot_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(replays_the_whole_recording),
	    cmocka_unit_test(every_truncation_is_an_error),
	    cmocka_unit_test(corruption_is_an_error),
	    cmocka_unit_test(repeats_interrupted_dumps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
