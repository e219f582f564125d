#include "collect.h"

#include <errno.h>
#include <string.h>

void collector_init(struct collector *col, const struct cw_options *o)
{
	memset(col, 0, sizeof(*col));
	filter_to_request(&o->filter, &col->req);
	col->req.proc_root = o->proc_root;
	col->req.record_path = o->record_path;
	col->netns_spec = o->netns;
	if (o->replay_path) {
		col->ops = &source_replay;
		col->req.input_path = o->replay_path;
	} else if (o->proc_root || (o->source && !strcmp(o->source, "proc"))) {
		col->ops = &source_proc;
	} else {
		col->ops = &source_netlink;
		/* --record saves netlink replies: /proc is no substitute, and a recording that
		 * cannot be created is that file's fault, not netlink's. Another namespace's
		 * sockets cannot be read from our /proc either. */
		col->may_fall_back = !o->source && !o->record_path && !o->netns;
	}
}

void collector_free(struct collector *col)
{
	if (col->netns_open)
		netns_set_free(&col->netns);
	col->netns_open = false;
}

/* Fills snap from every namespace asked for, each row tagged with its namespace's index. */
static int fill(struct collector *col, const struct source_request *asked, struct snapshot *snap,
                struct cw_error *err)
{
	struct source_request req_ages = *asked;
	const struct source_request *req = &req_ages;
	req_ages.close_wait_ages =
	    asked->close_wait_ages && (col->ops->gives & SOURCE_GIVES_CLOSE_WAIT_AGES);
	if (!col->netns_spec)
		return col->ops->fill(req, snap, err);
	if (!col->netns_open) {
		int r = netns_set_open(&col->netns, col->netns_spec, NULL, NULL, err);
		if (r < 0)
			return r;
		col->netns_open = true;
	}
	snap->netns = &col->netns;
	for (size_t i = 0; i < col->netns.count; i++) {
		struct source_request one = *req;
		one.netns = &col->netns.items[i];
		snap->fill_netns = (uint16_t)i;
		int r = col->ops->fill(&one, snap, err);
		/* With all, a namespace that went away since the listing is skipped. */
		if (r < 0 && (!col->netns.all || r == -EPERM)) {
			snap->fill_netns = 0;
			return r;
		}
	}
	snap->fill_netns = 0;
	return 0;
}

int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err)
{
	/* "all" is listed again on every take: containers come and go under a live view. */
	if (col->netns_open && col->netns.all)
		collector_free(col);
	snapshot_clear(snap);
	int r = fill(col, &col->req, snap, err);
	/* A passing failure of the kernel's dump (ENOBUFS under memory pressure, a dump broken
	 * off) is tried once more at once: list and summary then still succeed. Not when rows
	 * were already handed to a sink (a counting consumer): they would be counted twice. */
	if (r < 0 && col->ops == &source_netlink && source_error_is_transient(r) &&
	    snap->delivered == 0) {
		snapshot_clear(snap);
		r = fill(col, &col->req, snap, err);
	}
	if (r < 0 && col->may_fall_back && source_error_is_refusal(r)) {
		memcpy(col->fallback_reason, err->msg, sizeof(col->fallback_reason));
		col->ops = &source_proc;
		col->may_fall_back = false;
		col->fell_back = true;
		snapshot_clear(snap);
		r = fill(col, &col->req, snap, err);
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
	int r = fill(col, &only_cw, &snap, err);
	snapshot_flush(&snap);
	snapshot_free(&snap);
	return r;
}
