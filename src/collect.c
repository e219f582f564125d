#include "collect.h"

#include "i18n.h"
#include "row_estimate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void collector_init(struct collector *col, const struct cw_options *o)
{
	memset(col, 0, sizeof(*col));
	filter_to_request(&o->filter, &col->req);
	col->req.proc_root = o->proc_root;
	/* Only list saves raw netlink replies; live --record writes a recording (recording.h). */
	if (o->command == CMD_LIST)
		col->req.record_path = o->record_path;
	col->netns_spec = o->netns;
	if (o->replay_path && rec_file_is_recording(o->replay_path)) {
		col->recording = o->replay_path;
		col->at = o->at;
		col->play = o->command == CMD_LIVE;
	} else if (o->replay_path) {
		col->at = o->at;
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

int collector_open_bpf(const struct cw_options *o, bool resident, struct bpf_source **out,
                       struct cw_error *note, struct cw_error *err)
{
	*out = NULL;
	note->msg[0] = '\0';
	bool forced = o->source && !strcmp(o->source, "bpf");
	/* Anything else chosen (a source, list's capture of netlink replies, a recording to replay,
	 * another namespace: the iterator walks ours) keeps its own path. A recording being
	 * written (record, live --record) stores rows, which the iterator gives as well. */
	bool capture = o->record_path && o->command == CMD_LIST;
	bool chosen = o->source || o->proc_root || o->replay_path || capture || o->netns;
	if (forced && o->netns)
		return cw_error_set(err, -EINVAL, "%s",
		                    _("--source bpf reads our own network namespace only; use "
		                      "--netns with the netlink source"));
	if (!forced && (chosen || !resident || !bpf_source_built()))
		return 0;
	struct cw_error why = {0};
	int r = bpf_source_open(out, &why);
	if (r == 0)
		return 0;
	if (forced)
		return cw_error_set(err, r, "%s", why.msg);
	cw_error_set(note, r, "%s", why.msg);
	return 0;
}

static int history_start(struct collector *col, struct cw_error *err)
{
	col->history = malloc(sizeof(*col->history));
	if (!col->history)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	if (history_open(col->history, col->recording, err) < 0) {
		collector_free(col);
		return err->code;
	}
	size_t n = history_count(col->history);
	col->next = col->play ? 0 : n - 1;
	if (col->at && history_find(col->history, col->at, "--at", &col->next, err) < 0) {
		col->bad_usage = true;
		collector_free(col);
		return err->code;
	}
	return 0;
}

static int take_recorded(struct collector *col, struct snapshot *snap, struct cw_error *err)
{
	if (!col->history && history_start(col, err) < 0)
		return err->code;
	for (;;) {
		size_t n = history_count(col->history);
		if (col->next >= n) {
			if (col->play || n == 0)
				return cw_error_set(err, -ENODATA, _("%s: end of the recording"),
				                    col->recording);
			col->next =
			    n - 1; /* damage found at the refresh asked for: the one before */
		}
		int rc = history_load(col->history, col->next, snap, err);
		if (rc == -EBADMSG)
			continue; /* history_count() dropped: the damage is noted below */
		if (rc < 0)
			return rc;
		break;
	}
	col->next++;
	const char *damage = history_damage(col->history);
	if (damage) {
		snapshot_add_note(snap, "%s", damage);
		snap->skipped++;
	}
	snapshot_flush(snap); /* a counting consumer (summary) takes the last rows now */
	return 0;
}

const struct rec_meta *collector_recorded(const struct collector *col)
{
	return col->history && col->history->loaded != REC_NO_FRAME ? history_meta(col->history)
	                                                            : NULL;
}

void collector_seek(struct collector *col, size_t refresh)
{
	col->next = refresh;
}

static void netns_close(struct collector *col)
{
	if (col->netns_open)
		netns_set_free(&col->netns);
	col->netns_open = false;
}

/* The namespaces opened for --netns, and a recording opened for --replay. */
void collector_free(struct collector *col)
{
	netns_close(col);
	snapshot_free(&col->close_wait);
	if (col->history) {
		history_close(col->history);
		free(col->history);
		col->history = NULL;
	}
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

/* Reads req through col->ops into an empty snap: a passing failure is tried again at once, a
 * refused netlink falls back to /proc once. */
static int fill_falling_back(struct collector *col, const struct source_request *req,
                             struct snapshot *snap, struct cw_error *err)
{
	int r = fill(col, req, snap, err);
	/* A passing failure of the kernel's dump (ENOBUFS under memory pressure, a dump broken
	 * off) is tried once more at once: list and summary then still succeed. Not when rows
	 * were already handed to a sink (a counting consumer): they would be counted twice. */
	if (r < 0 && col->ops == &source_netlink && source_error_is_transient(r) &&
	    snap->delivered == 0) {
		snapshot_clear(snap);
		r = fill(col, req, snap, err);
	}
	if (r < 0 && col->may_fall_back && source_error_is_refusal(r)) {
		memcpy(col->fallback_reason, err->msg, sizeof(col->fallback_reason));
		col->ops = &source_proc;
		col->may_fall_back = false;
		col->fell_back = true;
		snapshot_clear(snap);
		r = fill(col, req, snap, err);
	}
	snapshot_flush(snap);
	return r;
}

int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err)
{
	/* "all" is listed again on every take: containers come and go under a live view. */
	if (col->netns_open && col->netns.all)
		netns_close(col);
	snapshot_clear(snap);
	if (col->recording)
		return take_recorded(col, snap, err);
	if (col->at) { /* --at on anything but a recording of refreshes */
		col->bad_usage = true;
		return cw_error_set(err, -EINVAL,
		                    _("--at needs a recording of refreshes (connwatch record, live "
		                      "--record); %s is a one-snapshot netlink recording"),
		                    col->req.input_path);
	}
	if (!col->bpf)
		return fill_falling_back(col, &col->req, snap, err);
	/* The iterator walks TCP only: UDP comes from the other sources, first (a fallback to
	 * /proc clears the snapshot). */
	int r = 0;
	if (col->req.udp) {
		struct source_request udp = col->req;
		udp.tcp_states = 0;
		r = fill_falling_back(col, &udp, snap, err);
	}
	col->close_wait.count = 0;
	if (r == 0)
		r = bpf_source_fill(col->bpf, &col->req, snap, &col->close_wait, err);
	snapshot_flush(snap);
	return r;
}

size_t collector_expected_rows(const struct collector *col)
{
	/* sockstat counts every socket of a protocol: it says nothing about a listener-only or
	 * one-state request, a capture, a recording or another namespace. The bulk of a large
	 * table is in these three states. */
	const tcp_state_set bulk = TCP_STATE_BIT(TCP_ST_ESTABLISHED) |
	                           TCP_STATE_BIT(TCP_ST_TIME_WAIT) |
	                           TCP_STATE_BIT(TCP_ST_CLOSE_WAIT);
	bool live_ours = col->ops == &source_netlink && !col->netns_spec && !col->req.proc_root;
	bool broad = (col->req.tcp_states & bulk) == bulk;
	if (!live_ours || !broad || col->req.bytecode.len)
		return 0;
	return row_estimate_read(true, col->req.udp);
}

int collector_take_close_wait_ages(struct collector *col, const struct snapshot_sink *ages,
                                   struct cw_error *err)
{
	const tcp_state_set cw = TCP_STATE_BIT(TCP_ST_CLOSE_WAIT);
	if (col->bpf) {
		/* The iterator read the ages in its one walk; they are handed over only now, as
		 * sock_diag's second dump would, so both paths know the same ages. */
		struct snapshot snap;
		snapshot_init(&snap);
		snapshot_set_sink(&snap, ages);
		int r = 0;
		for (size_t i = 0; i < col->close_wait.count && r == 0; i++)
			r = snapshot_add_conn(&snap, &col->close_wait.conns[i]);
		snapshot_flush(&snap);
		snapshot_free(&snap);
		return r < 0 ? cw_error_set(err, r, "%s", strerror(-r)) : 0;
	}
	if (!col->ops /* a recording */ || !(col->ops->gives & SOURCE_GIVES_CLOSE_WAIT_AGES) ||
	    !(col->req.tcp_states & cw) || col->req.record_path)
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
