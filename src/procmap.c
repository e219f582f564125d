#include "procmap.h"

#include "i18n.h"
#include "source.h"
#include "util/parse.h"
#include "util/readfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Values in pm->inodes besides owner indices (which are >= 0). */
#define PROCMAP_PENDING   (-1) /* asked for, not looked for yet */
#define PROCMAP_NOT_FOUND (-2) /* looked for by a walk, held by no process we could see */

/* One getdents64 call lists about 2,000 fds of a busy process with this buffer. */
#define DIRBUF_SIZE   (64 * 1024)
#define STAT_TEXT_MAX 2048
/* More walkers than this gain little: they contend for the same /proc and task locks. */
#define PROCMAP_MAX_WALKERS 4

/* Why walk_process stopped. */
enum walk_result { WALK_GO_ON, WALK_ALL_FOUND, WALK_NO_MEMORY };

void procmap_init(struct procmap *pm, const char *proc_root)
{
	memset(pm, 0, sizeof(*pm));
	pm->proc_root = proc_root ? proc_root : "/proc";
	container_names_init(&pm->names, NULL);
}

static void free_owners(struct procmap *pm)
{
	for (size_t i = 0; i < pm->owner_count; i++)
		free(pm->owners[i].cmdline);
	pm->owner_count = 0;
}

void procmap_free(struct procmap *pm)
{
	free_owners(pm);
	free(pm->owners);
	free(pm->dirbuf);
	inohash_free(&pm->inodes);
	container_names_free(&pm->names);
	memset(pm, 0, sizeof(*pm));
}

bool procmap_parse_socket_link(const char *link, size_t len, uint32_t *inode)
{
	static const char prefix[] = "socket:[";
	const size_t plen = sizeof(prefix) - 1;
	if (len < plen + 2 || memcmp(link, prefix, plen) != 0 || link[len - 1] != ']')
		return false;
	const char *p = link + plen, *end = link + len - 1;
	uint64_t v;
	if (!parse_dec(&p, end, &v) || p != end || v == 0 || v > UINT32_MAX)
		return false;
	*inode = (uint32_t)v;
	return true;
}

bool procmap_parse_stat(const char *text, size_t len, char *name, size_t namelen,
                        uint64_t *start_time)
{
	const char *open = memchr(text, '(', len);
	const char *close = NULL;
	for (const char *q = text + len; q > text;)
		if (*--q == ')') {
			close = q;
			break;
		}
	if (!open || !close || close < open || namelen == 0)
		return false;
	size_t n = (size_t)(close - open - 1);
	if (n >= namelen)
		n = namelen - 1;
	memcpy(name, open + 1, n);
	name[n] = '\0';
	/* After ") " come fields 3 (state) .. ; the start time is field 22. */
	const char *p = close + 1, *end = text + len;
	for (int field = 3; field < 22; field++) {
		if (!parse_blanks(&p, end))
			return false;
		while (p < end && *p != ' ')
			p++;
	}
	uint64_t v;
	if (!parse_blanks(&p, end) || !parse_dec(&p, end, &v))
		return false;
	*start_time = v;
	return true;
}

/* Reads at most cap - 1 bytes of PID/FILE under the /proc directory procfd. Returns the length
 * or -1 (the process is gone or hides it). */
static ssize_t read_proc_file(int procfd, const char *pid, const char *file, char *buf, size_t cap)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/%s", pid, file);
	return read_file_bounded(procfd, path, 0, buf, cap);
}

static bool read_stat(int procfd, const char *pid, char *name, size_t namelen, uint64_t *start)
{
	char text[STAT_TEXT_MAX];
	ssize_t n = read_proc_file(procfd, pid, "stat", text, sizeof(text));
	return n > 0 && procmap_parse_stat(text, (size_t)n, name, namelen, start);
}

/* The command line with its NUL separators shown as spaces, as ps does. */
static char *read_cmdline(int procfd, const char *pid)
{
	char *buf = malloc(PROCMAP_CMDLINE_MAX);
	if (!buf)
		return NULL;
	ssize_t n = read_proc_file(procfd, pid, "cmdline", buf, PROCMAP_CMDLINE_MAX);
	if (n < 0)
		n = 0;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return buf;
}

/* Adds the process named by the /proc entry pid. Returns its index, -ESRCH when it is gone,
 * -ENOMEM. */
static int add_owner(struct procmap *pm, int procfd, const char *pid_text, int32_t pid)
{
	if (pm->owner_count == pm->owner_capacity) {
		size_t cap = pm->owner_capacity ? pm->owner_capacity * 2 : 32;
		struct procmap_owner *o = realloc(pm->owners, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		pm->owners = o;
		pm->owner_capacity = cap;
	}
	if (pm->owner_count >= INT32_MAX)
		return -ENOMEM; /* indices are int32_t in the hash */
	struct procmap_owner *o = &pm->owners[pm->owner_count];
	memset(o, 0, sizeof(*o));
	o->pid = pid;
	if (!read_stat(procfd, pid_text, o->name, sizeof(o->name), &o->start_time))
		return -ESRCH;
	o->cmdline = read_cmdline(procfd, pid_text);
	if (!o->cmdline)
		return -ENOMEM;
	/* Under owners_lock: the name cache is shared by the walkers. */
	container_names_read(&pm->names, procfd, pid_text, &o->cgroup);
	return (int)pm->owner_count++;
}

/* One walk over /proc, shared by the walker threads. */
struct walk_job {
	struct procmap *pm;
	int procfd;
	const int32_t *order; /* pids in visiting order; the first hot_count are known owners */
	size_t count, hot_count;
	size_t next; /* next index of order to take (atomic) */
	int stop;    /* enum walk_result other than WALK_GO_ON once the walk must end */
	pthread_mutex_t owners_lock; /* add_owner grows pm->owners */
};

static bool cancelled(const struct procmap *pm)
{
	return pm->cancel && atomic_load_explicit(pm->cancel, memory_order_relaxed);
}

static bool job_stopped(struct walk_job *job)
{
	return __atomic_load_n(&job->stop, __ATOMIC_RELAXED) != WALK_GO_ON || cancelled(job->pm);
}

static void job_stop(struct walk_job *job, enum walk_result why)
{
	/* Running out of memory outranks "all found": it must reach the caller. */
	int expected = WALK_GO_ON;
	if (why == WALK_NO_MEMORY)
		__atomic_store_n(&job->stop, why, __ATOMIC_RELAXED);
	else
		__atomic_compare_exchange_n(&job->stop, &expected, why, false, __ATOMIC_RELAXED,
		                            __ATOMIC_RELAXED);
}

/* Gives the socket in slot to owner unless another walker was first. Ends the walk when it
 * was the last pending one. */
static void claim(struct walk_job *job, int32_t *slot, int owner)
{
	int32_t seen = __atomic_load_n(slot, __ATOMIC_RELAXED);
	while (seen < 0) {
		if (__atomic_compare_exchange_n(slot, &seen, owner, false, __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED)) {
			if (seen == PROCMAP_PENDING &&
			    __atomic_sub_fetch(&job->pm->pending, 1, __ATOMIC_RELAXED) == 0)
				job_stop(job, WALK_ALL_FOUND);
			return;
		}
	}
}

/* Reads the fd links of one process and gives it the wanted sockets it holds. owner is its
 * index when it is already an owner, else -1. */
static enum walk_result walk_process(struct walk_job *job, unsigned char *dirbuf, int32_t pid,
                                     int owner, struct procmap_info *info)
{
	struct procmap *pm = job->pm;
	char pid_text[16], path[32];
	snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	snprintf(path, sizeof(path), "%s/fd", pid_text);
	int dirfd = openat(job->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == EACCES || errno == EPERM)
			info->denied++;
		return WALK_GO_ON; /* gone (ENOENT, ESRCH) or not ours to see */
	}
	info->processes++;
	enum walk_result result = WALK_GO_ON;
	while (!job_stopped(job)) {
		ssize_t got = getdents64(dirfd, dirbuf, DIRBUF_SIZE);
		if (got <= 0)
			break; /* end, or the process exited under us */
		for (ssize_t off = 0; off < got && !job_stopped(job);) {
			const struct dirent64 *d = (const void *)(dirbuf + off);
			off += d->d_reclen;
			if (d->d_name[0] == '.')
				continue;
			char link[48];
			ssize_t len = readlinkat(dirfd, d->d_name, link, sizeof(link));
			if (len <= 0)
				continue; /* the fd was closed meanwhile */
			info->links++;
			uint32_t inode;
			if (!procmap_parse_socket_link(link, (size_t)len, &inode))
				continue;
			int32_t *slot = inohash_find(&pm->inodes, inode);
			if (!slot || __atomic_load_n(slot, __ATOMIC_RELAXED) >= 0)
				continue; /* not wanted, or already owned by another process */
			if (owner < 0) {
				pthread_mutex_lock(&job->owners_lock);
				owner = add_owner(pm, job->procfd, pid_text, pid);
				pthread_mutex_unlock(&job->owners_lock);
				if (owner == -ENOMEM) {
					result = WALK_NO_MEMORY;
					goto out;
				}
				if (owner < 0)
					goto out; /* exited during the walk: skipped */
			}
			claim(job, slot, owner);
		}
	}
out:
	close(dirfd);
	return result;
}

/* A walker thread (the calling thread is one too): takes the next process until none is left
 * or the walk is over. */
struct walker {
	struct walk_job *job;
	unsigned char *dirbuf;
	struct procmap_info info; /* its own counters, summed after the join */
	pthread_t thread;
	bool started;
};

static void *walker_run(void *arg)
{
	struct walker *wk = arg;
	struct walk_job *job = wk->job;
	while (!job_stopped(job)) {
		size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		if (i >= job->count)
			break;
		int owner = i < job->hot_count ? (int)i : -1;
		enum walk_result r = walk_process(job, wk->dirbuf, job->order[i], owner, &wk->info);
		if (r != WALK_GO_ON)
			job_stop(job, r);
	}
	return NULL;
}

static int parse_pid(const char *name, int32_t *pid)
{
	uint64_t v;
	if (!parse_dec_str(name, 1, INT32_MAX, &v))
		return -1;
	*pid = (int32_t)v;
	return 0;
}

static int compare_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* The network namespace link of PID ("net:[4026531840]") into buf; length, or 0 if unreadable. */
static size_t netns_of(int procfd, const char *pid, char *buf, size_t len)
{
	char path[48];
	snprintf(path, sizeof(path), "%s/ns/net", pid);
	ssize_t n = readlinkat(procfd, path, buf, len);
	return n > 0 ? (size_t)n : 0;
}

/* Every process in /proc but the known owners, in pid order, appended to order[*count..].
 * Returns 0 or -ENOMEM; *order is reallocated as needed. */
static int list_processes(int procfd, const int32_t *hot, size_t hot_count, int32_t **order,
                          size_t *count, size_t *cap)
{
	unsigned char buf[16 * 1024];
	for (;;) {
		ssize_t got = getdents64(procfd, buf, sizeof(buf));
		if (got <= 0)
			return 0;
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *d = (const void *)(buf + off);
			off += d->d_reclen;
			int32_t pid;
			if (parse_pid(d->d_name, &pid) < 0 ||
			    bsearch(&pid, hot, hot_count, sizeof(*hot), compare_pid))
				continue;
			if (*count == *cap) {
				int32_t *bigger = realloc(*order, 2 * *cap * sizeof(**order));
				if (!bigger)
					return -ENOMEM;
				*order = bigger;
				*cap *= 2;
			}
			(*order)[(*count)++] = pid;
		}
	}
}

/* The visiting order: first the known owners (a live view's new sockets are most often
 * theirs), then the processes in our own network namespace (the sockets we list are in it, so
 * its processes are the likely holders: in a container or a test namespace this skips the rest
 * of the machine), then everything else. Only the order depends on these guesses; every process
 * is visited when something stays unfound. */
static int plan_walk(struct procmap *pm, int procfd, int32_t **order_out, size_t *count_out)
{
	size_t hot_count = pm->owner_count, cap = hot_count + 1024, count = hot_count;
	int32_t *order = malloc(cap * sizeof(*order));
	int32_t *hot = malloc((hot_count ? hot_count : 1) * sizeof(*hot));
	int r = order && hot ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < hot_count; i++)
		order[i] = hot[i] = pm->owners[i].pid;
	if (r == 0) {
		qsort(hot, hot_count, sizeof(*hot), compare_pid);
		r = list_processes(procfd, hot, hot_count, &order, &count, &cap);
	}
	free(hot);
	char own_ns[64], ns[64];
	size_t own_len = r == 0 ? netns_of(procfd, "self", own_ns, sizeof(own_ns)) : 0;
	if (r == 0 && pm->prefer_netns) { /* the sockets listed are in that namespace */
		own_len = strnlen(pm->prefer_netns, sizeof(own_ns));
		memcpy(own_ns, pm->prefer_netns, own_len);
	}
	int32_t *others = own_len ? malloc((count - hot_count + 1) * sizeof(*others)) : NULL;
	if (own_len && !others)
		r = -ENOMEM;
	if (others) {
		/* Stable partition: same namespace first, then the others, each in pid order. */
		size_t same = hot_count, other = 0;
		for (size_t i = hot_count; i < count; i++) {
			char pid_text[16];
			snprintf(pid_text, sizeof(pid_text), "%d", (int)order[i]);
			size_t len = netns_of(procfd, pid_text, ns, sizeof(ns));
			if (len == own_len && !memcmp(ns, own_ns, len))
				order[same++] = order[i];
			else
				others[other++] = order[i];
		}
		memcpy(order + same, others, other * sizeof(*others));
		free(others);
	}
	if (r < 0) {
		free(order);
		return r;
	}
	*order_out = order;
	*count_out = count;
	return 0;
}

void procmap_set_lister(struct procmap *pm, const struct procmap_lister *l)
{
	pm->lister = *l;
}

/* One pass of a lister: (pid, inode) pairs arrive grouped by process. */
struct lister_walk {
	struct procmap *pm;
	int procfd;
	struct procmap_info *info;
	int32_t pid; /* the process of the last pair, or 0 */
	int owner;   /* its owner index, -1 while it owns nothing wanted, -ESRCH when gone */
	size_t pairs;
	bool no_memory;
};

static int lister_visit(void *arg, int32_t pid, uint32_t inode)
{
	struct lister_walk *w = arg;
	struct procmap *pm = w->pm;
	if (pid != w->pid) {
		w->pid = pid;
		w->owner = -1;
		w->info->processes++;
		const struct procmap_owner *known = procmap_owner_by_pid(pm, pid);
		if (known)
			w->owner = (int)(known - pm->owners);
	}
	w->info->links++;
	if (++w->pairs % 4096 == 0 && cancelled(pm))
		return 1; /* walk_listed says so */
	int32_t *slot = inohash_find(&pm->inodes, inode);
	if (!slot || *slot >= 0 || w->owner == -ESRCH)
		return 0; /* not wanted, already owned (shared after fork), or the process is gone
		           */
	if (w->owner < 0) {
		char pid_text[16];
		snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
		w->owner = add_owner(pm, w->procfd, pid_text, pid);
		if (w->owner == -ENOMEM) {
			w->no_memory = true;
			return 1;
		}
		if (w->owner < 0)
			return 0;
	}
	*slot = w->owner;
	return --pm->pending == 0 ? 1 : 0;
}

/* Finds the pending inodes through the lister. Returns 0, 1 when the lister failed (walk /proc
 * instead), or a negative errno with err set. */
static int walk_listed(struct procmap *pm, int procfd, struct procmap_info *info,
                       struct cw_error *err)
{
	struct lister_walk w = {.pm = pm, .procfd = procfd, .info = info};
	struct cw_error ignored;
	int r = pm->lister.list(pm->lister.ctx, lister_visit, &w, &ignored);
	if (w.no_memory || r == -ENOMEM)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	if (cancelled(pm))
		return source_check_cancel(pm->cancel, err);
	if (r < 0) {
		/* Claims made so far stay: they are right. The walk looks for the rest. */
		memset(&pm->lister, 0, sizeof(pm->lister));
		return 1;
	}
	return 0;
}

/* How many walkers: the walk is system time spent in the kernel per fd link, and it scales
 * with cores (one process's fds stay with one walker). */
static unsigned walker_count(size_t processes)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = cpus > 0 ? (size_t)cpus : 1;
	if (n > PROCMAP_MAX_WALKERS)
		n = PROCMAP_MAX_WALKERS;
	if (n > processes)
		n = processes;
	return n ? (unsigned)n : 1;
}

static int walk(struct procmap *pm, struct procmap_info *info, struct cw_error *err)
{
	if (!pm->dirbuf && !(pm->dirbuf = malloc(DIRBUF_SIZE)))
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	int procfd = open(pm->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0) {
		int e = errno;
		return cw_error_set(err, -e, _("cannot read %s to find the processes: %s"),
		                    pm->proc_root, strerror(e));
	}
	info->walked = true;
	if (pm->lister.list) {
		int listed = walk_listed(pm, procfd, info, err);
		if (listed <= 0 || pm->pending == 0) {
			close(procfd);
			return listed < 0 ? listed : 0;
		}
	}
	struct walk_job job = {.pm = pm, .procfd = procfd, .hot_count = pm->owner_count};
	int32_t *order = NULL;
	if (plan_walk(pm, procfd, &order, &job.count) < 0) {
		close(procfd);
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	}
	job.order = order;
	pthread_mutex_init(&job.owners_lock, NULL);
	struct walker walkers[PROCMAP_MAX_WALKERS];
	unsigned n = walker_count(job.count);
	memset(walkers, 0, sizeof(walkers));
	walkers[0] = (struct walker){.job = &job, .dirbuf = pm->dirbuf};
	for (unsigned i = 1; i < n; i++) {
		walkers[i] = (struct walker){.job = &job, .dirbuf = malloc(DIRBUF_SIZE)};
		/* A walker that cannot start leaves its share to the others. */
		walkers[i].started =
		    walkers[i].dirbuf &&
		    pthread_create(&walkers[i].thread, NULL, walker_run, &walkers[i]) == 0;
	}
	walker_run(&walkers[0]);
	for (unsigned i = 0; i < n; i++) {
		if (walkers[i].started)
			pthread_join(walkers[i].thread, NULL);
		if (i > 0)
			free(walkers[i].dirbuf);
		info->denied += walkers[i].info.denied;
		info->processes += walkers[i].info.processes;
		info->links += walkers[i].info.links;
	}
	pthread_mutex_destroy(&job.owners_lock);
	free(order);
	close(procfd);
	if (job.stop == WALK_NO_MEMORY)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	return source_check_cancel(pm->cancel, err);
}

/* Checks that every owner's pid still names the process we saw (same start time) and refreshes
 * its name, which prctl or exec may have changed. valid[i] says whether owner i still holds. */
static void check_owners(struct procmap *pm, bool *valid)
{
	int procfd = open(pm->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < pm->owner_count && !cancelled(pm); i++) {
		struct procmap_owner *o = &pm->owners[i];
		char pid_text[16], name[PROCMAP_NAME_MAX];
		uint64_t start;
		snprintf(pid_text, sizeof(pid_text), "%d", (int)o->pid);
		valid[i] = procfd >= 0 && read_stat(procfd, pid_text, name, sizeof(name), &start) &&
		           start == o->start_time;
		if (valid[i] && strcmp(name, o->name)) {
			char *cmdline = read_cmdline(procfd, pid_text);
			if (cmdline) {
				memcpy(o->name, name, sizeof(o->name));
				free(o->cmdline);
				o->cmdline = cmdline;
				/* An exec may come with a move (systemd-run, a runtime's exec). */
				container_names_read(&pm->names, procfd, pid_text, &o->cgroup);
			}
		}
	}
	if (procfd >= 0)
		close(procfd);
}

/* Drops the owners that no inode refers to any more and renumbers the rest in the map. */
static int compact_owners(struct procmap *pm)
{
	if (pm->owner_count == 0)
		return 0;
	int32_t *renumber = malloc(pm->owner_count * sizeof(*renumber));
	if (!renumber)
		return -ENOMEM;
	for (size_t i = 0; i < pm->owner_count; i++)
		renumber[i] = -1;
	size_t pos = 0;
	struct inohash_slot *s;
	while ((s = inohash_next(&pm->inodes, &pos)))
		if (s->value >= 0)
			renumber[s->value] = 0;
	size_t kept = 0;
	for (size_t i = 0; i < pm->owner_count; i++) {
		if (renumber[i] < 0) {
			free(pm->owners[i].cmdline);
			continue;
		}
		renumber[i] = (int32_t)kept;
		pm->owners[kept++] = pm->owners[i];
	}
	pm->owner_count = kept;
	pos = 0;
	while ((s = inohash_next(&pm->inodes, &pos)))
		if (s->value >= 0)
			s->value = renumber[s->value];
	free(renumber);
	return 0;
}

/* Replaces the map by one holding exactly the asked-for inodes, keeping what `old` knew (its
 * values are indices into pm->owners) and is still valid. -ECANCELED leaves the map as it was. */
static int rebuild_map(struct procmap *pm, const struct inohash *old_map, const uint32_t *inodes,
                       size_t n, const bool *valid)
{
	struct inohash fresh;
	if (inohash_init(&fresh, n) < 0)
		return -ENOMEM;
	pm->pending = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + PROCMAP_PREFETCH_AHEAD < n) {
			inohash_prefetch(&fresh, inodes[i + PROCMAP_PREFETCH_AHEAD]);
			inohash_prefetch(old_map, inodes[i + PROCMAP_PREFETCH_AHEAD]);
		}
		if (i % 65536 == 0 && cancelled(pm)) { /* a million inodes take a while */
			inohash_free(&fresh);
			return -ECANCELED;
		}
		if (inodes[i] == 0 || inohash_find(&fresh, inodes[i]))
			continue;
		const int32_t *old = inohash_find(old_map, inodes[i]);
		int32_t value = old ? *old : PROCMAP_PENDING;
		if (value >= 0 && !valid[value])
			value = PROCMAP_PENDING;
		if (inohash_put(&fresh, inodes[i], value) < 0) {
			inohash_free(&fresh);
			return -ENOMEM;
		}
		if (value == PROCMAP_PENDING)
			pm->pending++;
	}
	inohash_free(&pm->inodes);
	pm->inodes = fresh;
	return 0;
}

/* Makes pm's owners copies of known's, at the same indices, and empties pm's inode map. A lister
 * that failed for known is not asked again. */
static int copy_owners(struct procmap *pm, const struct procmap *known)
{
	free_owners(pm);
	inohash_free(&pm->inodes);
	if (!known->lister.list)
		memset(&pm->lister, 0, sizeof(pm->lister));
	if (known->owner_count > pm->owner_capacity) {
		struct procmap_owner *o = realloc(pm->owners, known->owner_count * sizeof(*o));
		if (!o)
			return -ENOMEM;
		pm->owners = o;
		pm->owner_capacity = known->owner_count;
	}
	for (size_t i = 0; i < known->owner_count; i++) {
		pm->owners[i] = known->owners[i];
		pm->owners[i].cmdline = strdup(known->owners[i].cmdline);
		if (!pm->owners[i].cmdline)
			return -ENOMEM;
		pm->owner_count = i + 1;
	}
	return 0;
}

int procmap_resolve_from(struct procmap *pm, const struct procmap *known, const uint32_t *inodes,
                         size_t n, struct procmap_info *info, struct cw_error *err)
{
	struct procmap_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	if (known != pm && copy_owners(pm, known) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	bool *valid = calloc(pm->owner_count ? pm->owner_count : 1, sizeof(*valid));
	if (!valid)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	check_owners(pm, valid);
	int r = cancelled(pm) ? -ECANCELED : rebuild_map(pm, &known->inodes, inodes, n, valid);
	free(valid);
	if (r == 0)
		r = compact_owners(pm);
	if (r == -ECANCELED)
		return source_check_cancel(pm->cancel, err);
	if (r < 0)
		return cw_error_set(err, r, "%s", _("out of memory"));
	if (pm->pending > 0) {
		r = walk(pm, info, err);
		if (r < 0)
			return r;
	}
	size_t pos = 0;
	struct inohash_slot *s;
	while ((s = inohash_next(&pm->inodes, &pos))) {
		info->wanted++;
		if (s->value >= 0) {
			info->found++;
		} else {
			s->value = PROCMAP_NOT_FOUND;
			info->unresolved++;
		}
	}
	pm->pending = 0;
	info->restricted = info->denied > 0 || geteuid() != 0;
	return 0;
}

int procmap_resolve(struct procmap *pm, const uint32_t *inodes, size_t n, struct procmap_info *info,
                    struct cw_error *err)
{
	return procmap_resolve_from(pm, pm, inodes, n, info, err);
}

const struct procmap_owner *procmap_owner_of(const struct procmap *pm, uint32_t inode)
{
	const int32_t *v = inohash_find(&pm->inodes, inode);
	return v && *v >= 0 ? &pm->owners[*v] : NULL;
}

void procmap_prefetch(const struct procmap *pm, uint32_t inode)
{
	inohash_prefetch(&pm->inodes, inode);
}

const struct procmap_owner *procmap_owner_by_pid(const struct procmap *pm, int32_t pid)
{
	for (size_t i = 0; i < pm->owner_count; i++)
		if (pm->owners[i].pid == pid)
			return &pm->owners[i];
	return NULL;
}
