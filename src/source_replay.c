/* Replays a recording made with --record: the same parser as the live netlink source, fed from a
 * file, so fixtures of real dumps test it without a kernel. */
#include "source.h"
#include "source_netlink.h"

#include "i18n.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_MAX_LENGTH (1u << 24)

static int replay_fill(const struct source_request *r, struct snapshot *snap, struct cw_error *err)
{
	if (!r->input_path)
		return cw_error_set(err, -EINVAL, "%s", _("replay needs a recording file"));
	FILE *in = fopen(r->input_path, "rb");
	if (!in)
		return cw_error_set(err, -errno, _("cannot open recording %s: %s"), r->input_path,
		                    strerror(errno));
	snap->source_name = "replay";
	int ret = 0;
	void *buf = NULL;
	bool in_dump = false; /* the last reply ended inside a dump: more records must follow */
	struct netlink_dump dump = {0};
	size_t dump_start = 0, dump_delivered = 0; /* snap->count, ->delivered then */
	int interrupted_in_a_row = 0;
	bool ended = false; /* the end record was read */
	unsigned long record = 1;
	for (;; record++) {
		struct netlink_record_header h;
		size_t got = fread(&h, 1, sizeof(h), in);
		if (got == 0 && feof(in))
			break;
		if (ended) {
			ret = cw_error_set(err, -EBADMSG,
			                   _("%s: record %lu: data after the end of the recording"),
			                   r->input_path, record);
			break;
		}
		if (got != sizeof(h) || h.magic != NETLINK_RECORD_MAGIC ||
		    h.length > RECORD_MAX_LENGTH ||
		    (h.proto != CONN_TCP && h.proto != CONN_UDP && h.proto != NETLINK_RECORD_END)) {
			ret = cw_error_set(err, -EBADMSG,
			                   _("%s: record %lu: not a connwatch netlink recording"),
			                   r->input_path, record);
			break;
		}
		if (h.proto == NETLINK_RECORD_END) {
			if (h.length != 0 || in_dump) {
				ret = cw_error_set(err, -EBADMSG, _("%s: record %lu: truncated"),
				                   r->input_path, record);
				break;
			}
			ended = true;
			continue;
		}
		void *grown = realloc(buf, h.length ? h.length : 1);
		if (!grown) {
			ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
			break;
		}
		buf = grown;
		if (fread(buf, 1, h.length, in) != h.length) {
			ret = cw_error_set(err, -EBADMSG, _("%s: record %lu: truncated"),
			                   r->input_path, record);
			break;
		}
		if (!in_dump) {
			memset(&dump, 0, sizeof(dump)); /* its ids come from its first reply */
			dump_start = snap->count;
			dump_delivered = snap->delivered;
		}
		struct cw_error perr;
		int p = netlink_parse_dump(buf, h.length, (int)h.proto, &dump, snap, &perr);
		if (p < 0) {
			ret = cw_error_set(err, p, "%s: record %lu: %s", r->input_path, record,
			                   perr.msg);
			break;
		}
		in_dump = p == NETLINK_PARSE_MORE;
		/* The live source repeated an interrupted dump, and recorded every attempt:
		 * replay keeps what it kept, the first complete one or the last attempt. */
		if (p == NETLINK_PARSE_DONE && !dump.interrupted) {
			interrupted_in_a_row = 0;
		} else if (p == NETLINK_PARSE_DONE && snap->delivered == dump_delivered &&
		           ++interrupted_in_a_row < NETLINK_DUMP_INTR_TRIES) {
			snap->count = dump_start;
		} else if (p == NETLINK_PARSE_DONE) { /* (rows a sink has counted stay) */
			netlink_note_inconsistent(snap);
			interrupted_in_a_row = 0;
		}
	}
	if (ret == 0 && ferror(in))
		ret = cw_error_set(err, -EIO, _("cannot read %s: %s"), r->input_path,
		                   strerror(errno));
	else if (ret == 0 && record == 1)
		ret = cw_error_set(err, -EBADMSG,
		                   _("%s: empty file, not a connwatch netlink recording"),
		                   r->input_path);
	else if (ret == 0 && !ended)
		/* Cut at a record boundary: what came is well formed, but not all of it. */
		ret = cw_error_set(err, -EBADMSG,
		                   _("%s: truncated after record %lu (the end marker is missing)"),
		                   r->input_path, record - 1);
	free(buf);
	fclose(in);
	return ret;
}

const struct source_ops source_replay = {
    .name = "replay",
    .fill = replay_fill,
};
