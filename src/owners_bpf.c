/* Loader and reader of the BPF task-file iterator (src/bpf/task_sockets.bpf.c). It is a light
 * skeleton (src/bpf/meson.build): the kernel relocates it against its own BTF, so a one-shot
 * `list -p` does not parse the kernel's BTF in user space. */
#include "owners_bpf.h"
#include "bpf_load.h"

#include "i18n.h"

#include <errno.h> /* before the skeleton, which uses errno without including it */
#include <linux/types.h>

#include "task_sockets.h"
#include "task_sockets.lskel.h"

#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(sizeof(struct cw_bpf_owner) == 8, "the iterator writes 8-byte pairs");

struct owners_bpf {
	struct cw_task_sockets *skel;
};

int owners_bpf_open(struct owners_bpf **out, struct cw_error *err)
{
	*out = NULL;
	struct owners_bpf *b = calloc(1, sizeof(*b));
	if (!b)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	errno = 0;
	b->skel = cw_task_sockets__open_and_load();
	if (!b->skel || cw_task_sockets__attach(b->skel) < 0) {
		int e = errno;
		cw_task_sockets__destroy(b->skel);
		free(b);
		return bpf_load_error(err, e);
	}
	*out = b;
	return 0;
}

void owners_bpf_close(struct owners_bpf *b)
{
	if (!b)
		return;
	cw_task_sockets__destroy(b->skel);
	free(b);
}

struct pairs_out {
	struct owners_bpf *b;
	procmap_visit_fn visit;
	void *arg;
	bool checked;
	struct cw_error *err;
};

static int take_pairs(void *arg, const void *recs, size_t n)
{
	struct pairs_out *o = arg;
	/* The program saw the reader by its kernel pid: another pid namespace would name every
	 * process differently from /proc. */
	if (!o->checked && o->b->skel->bss->reader_pid != (__u32)getpid())
		return cw_error_set(o->err, -EXDEV, "%s", "pid namespace");
	o->checked = true;
	const struct cw_bpf_owner *p = recs;
	for (size_t i = 0; i < n; i++)
		if (o->visit(o->arg, (int32_t)p[i].pid, p[i].inode) != 0)
			return 1;
	return 0;
}

static int list(void *ctx, procmap_visit_fn visit, void *arg, struct cw_error *err)
{
	struct owners_bpf *b = ctx;
	struct pairs_out o = {b, visit, arg, false, err};
	size_t truncated; /* pairs are written whole */
	return bpf_iter_read(b->skel->links.cw_task_file_fd, sizeof(struct cw_bpf_owner),
	                     take_pairs, &o, &truncated, err);
}

struct procmap_lister owners_bpf_lister(struct owners_bpf *b)
{
	return (struct procmap_lister){.list = list, .ctx = b};
}
