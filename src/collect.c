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
		col->may_fall_back = !o->source;
	}
}

int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err)
{
	snapshot_clear(snap);
	int r = col->ops->fill(&col->req, snap, err);
	if (r < 0 && col->may_fall_back && source_error_is_refusal(r)) {
		memcpy(col->fallback_reason, err->msg, sizeof(col->fallback_reason));
		col->ops = &source_proc;
		col->may_fall_back = false;
		col->fell_back = true;
		snapshot_clear(snap);
		r = col->ops->fill(&col->req, snap, err);
	}
	return r;
}

bool collector_gives_close_wait_ages(const struct collector *col)
{
	return (col->ops->gives & SOURCE_GIVES_CLOSE_WAIT_AGES) && col->req.close_wait_ages;
}
