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

#include "util/grow.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(sizeof(struct cw_bpf_owner) == 8, "the iterator writes 8-byte pairs");

struct owners_bpf {
	struct cw_task_sockets *skel;
	/* A run started ahead by owners_bpf_start(): its thread and the pairs it kept. */
	pthread_t ahead;
	bool ahead_started;
	int ahead_result; /* 0, or a negative errno: the next list() then runs the iterator itself
	                   */
	struct cw_bpf_owner *pairs; /* owned */
	size_t count, capacity;
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

/* Waits for the run ahead, if one was started. */
static void join_ahead(struct owners_bpf *b)
{
	if (b->ahead_started)
		pthread_join(b->ahead, NULL);
	b->ahead_started = false;
}

void owners_bpf_close(struct owners_bpf *b)
{
	if (!b)
		return;
	join_ahead(b);
	free(b->pairs);
	cw_task_sockets__destroy(b->skel);
	free(b);
}

static int keep_pairs(void *arg, const void *recs, size_t n)
{
	struct owners_bpf *b = arg;
	if (b->count + n > b->capacity) {
		size_t cap = grow_capacity(b->capacity, b->count + n, 4096);
		if (grow_array(&b->pairs, cap, sizeof(*b->pairs)) < 0)
			return -ENOMEM;
		b->capacity = cap;
	}
	memcpy(b->pairs + b->count, recs, n * sizeof(*b->pairs));
	b->count += n;
	return 0;
}

static void *run_ahead(void *arg)
{
	struct owners_bpf *b = arg;
	struct cw_error ignored;
	size_t truncated; /* pairs are written whole */
	b->ahead_result = bpf_iter_read(b->skel->links.cw_task_file_fd, sizeof(struct cw_bpf_owner),
	                                keep_pairs, b, &truncated, &ignored);
	return NULL;
}

int owners_bpf_start(struct owners_bpf *b)
{
	if (!b || b->ahead_started)
		return 0;
	b->count = 0;
	if (pthread_create(&b->ahead, NULL, run_ahead, b) != 0)
		return -EAGAIN;
	b->ahead_started = true;
	return 0;
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
	if (b->ahead_started) {
		join_ahead(b);
		if (b->ahead_result == 0) {
			int r = take_pairs(&o, b->pairs, b->count);
			/* Only one list() is served from them: memory goes back at once. */
			free(b->pairs);
			b->pairs = NULL;
			b->count = b->capacity = 0;
			return r < 0 ? r : 0;
		}
	}
	size_t truncated; /* pairs are written whole */
	return bpf_iter_read(b->skel->links.cw_task_file_fd, sizeof(struct cw_bpf_owner),
	                     take_pairs, &o, &truncated, err);
}

struct procmap_lister owners_bpf_lister(struct owners_bpf *b)
{
	return (struct procmap_lister){.list = list, .ctx = b};
}
