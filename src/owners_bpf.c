/* Loader and reader of the BPF task-file iterator (src/bpf/task_sockets.bpf.c). */
#include "owners_bpf.h"
#include "bpf_load.h"

#include "i18n.h"

#include <linux/types.h>

#include "task_sockets.h"
#include "task_sockets.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_PAIRS 4096 /* 32 KiB: what the kernel hands out per read */
_Static_assert(sizeof(struct cw_bpf_owner) == 8, "the iterator writes 8-byte pairs");

struct owners_bpf {
	struct cw_task_sockets *skel;
	struct bpf_link *link;
};

int owners_bpf_open(struct owners_bpf **out, struct cw_error *err)
{
	*out = NULL;
	bpf_load_quiet();
	struct owners_bpf *b = calloc(1, sizeof(*b));
	if (!b)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	errno = 0;
	b->skel = cw_task_sockets__open_and_load();
	if (b->skel)
		b->link = bpf_program__attach_iter(b->skel->progs.cw_task_file, NULL);
	if (!b->link) {
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
	bpf_link__destroy(b->link);
	cw_task_sockets__destroy(b->skel);
	free(b);
}

static int list(void *ctx, procmap_visit_fn visit, void *arg, struct cw_error *err)
{
	struct owners_bpf *b = ctx;
	int fd = bpf_iter_create(bpf_link__fd(b->link));
	if (fd < 0)
		return cw_error_set(err, -errno, _("cannot run the BPF socket iterator: %s"),
		                    strerror(errno));
	struct cw_bpf_owner buf[READ_PAIRS];
	int ret = 0;
	bool checked = false;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret =
			    cw_error_set(err, -errno, _("cannot read the BPF socket iterator: %s"),
			                 strerror(errno));
			break;
		}
		if (n == 0)
			break;
		/* The program saw the reader by its kernel pid: another pid namespace would name
		 * every process differently from /proc. */
		if (!checked && b->skel->bss->reader_pid != (__u32)getpid()) {
			ret = cw_error_set(err, -EXDEV, "%s", "pid namespace");
			break;
		}
		checked = true;
		size_t pairs = (size_t)n / sizeof(buf[0]); /* writes are whole pairs */
		for (size_t i = 0; i < pairs; i++) {
			int v = visit(arg, (int32_t)buf[i].pid, buf[i].inode);
			if (v != 0)
				goto out;
		}
	}
out:
	close(fd);
	return ret;
}

struct procmap_lister owners_bpf_lister(struct owners_bpf *b)
{
	return (struct procmap_lister){.list = list, .ctx = b};
}
