#include "collect.h"

#include <errno.h>
#include <string.h>

void collector_init(struct collector *col, const struct cw_options *o)
{
	memset(col, 0, sizeof(*col));
	filter_to_request(&o->filter, &col->req);
	col->req.proc_root = o->proc_root;
	col->req.record_path = o->record_path;
	if (o->replay_path) {
		col->ops = &source_replay;
		col->req.input_path = o->replay_path;
	} else if (o->proc_root || (o->source && !strcmp(o->source, "proc"))) {
		col->ops = &source_proc;
	} else {
		col->ops = &source_netlink;
		/* --record saves netlink replies: /proc is no substitute, and a recording that
		 * cannot be created is that file's fault, not netlink's. */
		col->may_fall_back = !o->source && !o->record_path;
	}
}

static int fill(const struct collector *col, struct snapshot *snap, struct cw_error *err)
{
	struct source_request req = col->req;
	req.close_wait_ages =
	    req.close_wait_ages && (col->ops->gives & SOURCE_GIVES_CLOSE_WAIT_AGES);
	return col->ops->fill(&req, snap, err);
}

int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err)
{
	snapshot_clear(snap);
	int r = fill(col, snap, err);
	/* A passing failure of the kernel's dump (ENOBUFS under memory pressure, a dump broken
	 * off) is tried once more at once: list and summary then still succeed. Not when rows
	 * were already handed to a sink (a counting consumer): they would be counted twice. */
	if (r < 0 && col->ops == &source_netlink && source_error_is_transient(r) &&
	    snap->delivered == 0) {
		snapshot_clear(snap);
		r = fill(col, snap, err);
	}
	if (r < 0 && col->may_fall_back && source_error_is_refusal(r)) {
		memcpy(col->fallback_reason, err->msg, sizeof(col->fallback_reason));
		col->ops = &source_proc;
		col->may_fall_back = false;
		col->fell_back = true;
		snapshot_clear(snap);
		r = fill(col, snap, err);
	}
	snapshot_flush(snap);
	return r;
}

int collector_take_close_wait_ages(struct collector *col, const struct snapshot_sink *ages,
                                   struct cw_error *err)
{
	const tcp_state_set cw = TCP_STATE_BIT(TCP_ST_CLOSE_WAIT);
	if (!(col->ops->gives & SOURCE_GIVES_CLOSE_WAIT_AGES) || !(col->req.tcp_states & cw) ||
	    col->req.record_path)
		return 0;
	struct source_request only_cw = col->req;
	only_cw.tcp_states = cw;
	only_cw.udp = false;
	only_cw.want_tcp_info = true;
	struct snapshot snap;
	snapshot_init(&snap);
	snapshot_set_sink(&snap, ages);
	int r = col->ops->fill(&only_cw, &snap, err);
	snapshot_flush(&snap);
	snapshot_free(&snap);
	return r;
}
