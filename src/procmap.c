#include "procmap.h"

#include "i18n.h"
#include "util/parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Values in pm->inodes besides owner indices (which are >= 0). */
#define PROCMAP_PENDING   (-1) /* asked for, not looked for yet */
#define PROCMAP_NOT_FOUND (-2) /* looked for by a walk, held by no process we could see */

/* One getdents64 call lists about 2,000 fds of a busy process with this buffer. */
#define DIRBUF_SIZE (64 * 1024)
#define STAT_TEXT_MAX 2048

/* Why walk_process stopped. */
enum walk_result { WALK_GO_ON, WALK_ALL_FOUND, WALK_NO_MEMORY };

void procmap_init(struct procmap *pm, const char *proc_root)
{
	memset(pm, 0, sizeof(*pm));
	pm->proc_root = proc_root ? proc_root : "/proc";
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
	int fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t used = 0;
	while (used + 1 < cap) {
		ssize_t r = read(fd, buf + used, cap - 1 - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		used += (size_t)r;
	}
	close(fd);
	buf[used] = '\0';
	return (ssize_t)used;
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
	struct procmap_owner *o = &pm->owners[pm->owner_count];
	memset(o, 0, sizeof(*o));
	o->pid = pid;
	if (!read_stat(procfd, pid_text, o->name, sizeof(o->name), &o->start_time))
		return -ESRCH;
	o->cmdline = read_cmdline(procfd, pid_text);
	if (!o->cmdline)
		return -ENOMEM;
	if (pm->owner_count >= INT32_MAX)
		return -ENOMEM;
	return (int)pm->owner_count++;
}

/* Reads the fd links of one process and gives it the wanted sockets it holds. owner is its
 * index when it is already an owner, else -1. */
static enum walk_result walk_process(struct procmap *pm, int procfd, int32_t pid, int owner,
				     struct procmap_info *info)
{
	char pid_text[16], path[32];
	snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
	snprintf(path, sizeof(path), "%s/fd", pid_text);
	int dirfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == EACCES || errno == EPERM)
			info->denied++;
		return WALK_GO_ON; /* gone (ENOENT, ESRCH) or not ours to see */
	}
	info->processes++;
	enum walk_result result = WALK_GO_ON;
	for (;;) {
		ssize_t got = getdents64(dirfd, pm->dirbuf, DIRBUF_SIZE);
		if (got <= 0)
			break; /* end, or the process exited under us */
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *d = (const void *)(pm->dirbuf + off);
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
			if (!slot || *slot >= 0)
				continue; /* not wanted, or already owned by an earlier process */
			if (owner < 0) {
				owner = add_owner(pm, procfd, pid_text, pid);
				if (owner == -ENOMEM) {
					result = WALK_NO_MEMORY;
					goto out;
				}
				if (owner < 0)
					goto out; /* exited during the walk: skipped */
			}
			if (*slot == PROCMAP_PENDING)
				pm->pending--;
			*slot = owner;
			if (pm->pending == 0) {
				result = WALK_ALL_FOUND;
				goto out;
			}
		}
	}
out:
	close(dirfd);
	return result;
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

/* Every process in /proc but the known owners, in pid order. Returns the count or -ENOMEM;
 * *pids is owned by the caller. */
static ssize_t list_processes(int procfd, const int32_t *hot, size_t hot_count, int32_t **pids)
{
	size_t count = 0, cap = 1024;
	int32_t *list = malloc(cap * sizeof(*list));
	unsigned char buf[16 * 1024];
	while (list) {
		ssize_t got = getdents64(procfd, buf, sizeof(buf));
		if (got <= 0)
			break;
		for (ssize_t off = 0; off < got;) {
			const struct dirent64 *d = (const void *)(buf + off);
			off += d->d_reclen;
			int32_t pid;
			if (parse_pid(d->d_name, &pid) < 0 ||
			    bsearch(&pid, hot, hot_count, sizeof(*hot), compare_pid))
				continue;
			if (count == cap) {
				int32_t *bigger = realloc(list, 2 * cap * sizeof(*list));
				if (!bigger) {
					free(list);
					return -ENOMEM;
				}
				list = bigger;
				cap *= 2;
			}
			list[count++] = pid;
		}
	}
	*pids = list;
	return list ? (ssize_t)count : -ENOMEM;
}

/* Walks until nothing is pending: first the known owners (a live view's new sockets are most
 * often theirs), then the processes in our own network namespace (the sockets we list are in
 * it, so its processes are the likely holders: in a container or a test namespace this skips
 * the rest of the machine), then everything else. Only the order depends on these guesses;
 * every process is still visited when something stays unfound. */
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
	size_t hot_count = pm->owner_count;
	int32_t *hot = malloc((hot_count ? hot_count : 1) * sizeof(*hot)), *pids = NULL;
	enum walk_result w = hot ? WALK_GO_ON : WALK_NO_MEMORY;
	for (size_t i = 0; i < hot_count && w == WALK_GO_ON; i++) {
		hot[i] = pm->owners[i].pid;
		w = walk_process(pm, procfd, hot[i], (int)i, info);
	}
	ssize_t count = 0;
	if (w == WALK_GO_ON) {
		qsort(hot, hot_count, sizeof(*hot), compare_pid);
		count = list_processes(procfd, hot, hot_count, &pids);
		if (count < 0)
			w = WALK_NO_MEMORY;
	}
	char own_ns[64], ns[64];
	size_t own_len = netns_of(procfd, "self", own_ns, sizeof(own_ns));
	size_t later = 0; /* processes of other namespaces, moved to the front of pids */
	for (ssize_t i = 0; i < count && w == WALK_GO_ON; i++) {
		char pid_text[16];
		snprintf(pid_text, sizeof(pid_text), "%d", (int)pids[i]);
		size_t len = own_len ? netns_of(procfd, pid_text, ns, sizeof(ns)) : 0;
		if (own_len && (len != own_len || memcmp(ns, own_ns, len)))
			pids[later++] = pids[i];
		else
			w = walk_process(pm, procfd, pids[i], -1, info);
	}
	for (size_t i = 0; i < later && w == WALK_GO_ON; i++)
		w = walk_process(pm, procfd, pids[i], -1, info);
	int r = 0;
	if (w == WALK_NO_MEMORY)
		r = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	free(pids);
	free(hot);
	close(procfd);
	return r;
}

/* Checks that every owner's pid still names the process we saw (same start time) and refreshes
 * its name, which prctl or exec may have changed. valid[i] says whether owner i still holds. */
static void check_owners(struct procmap *pm, bool *valid)
{
	int procfd = open(pm->proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < pm->owner_count; i++) {
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

/* Replaces the map by one holding exactly the asked-for inodes, keeping what is still known. */
static int rebuild_map(struct procmap *pm, const uint32_t *inodes, size_t n, const bool *valid)
{
	struct inohash fresh;
	if (inohash_init(&fresh, n) < 0)
		return -ENOMEM;
	pm->pending = 0;
	for (size_t i = 0; i < n; i++) {
		if (inodes[i] == 0 || inohash_find(&fresh, inodes[i]))
			continue;
		const int32_t *old = inohash_find(&pm->inodes, inodes[i]);
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

int procmap_resolve(struct procmap *pm, const uint32_t *inodes, size_t n,
		    struct procmap_info *info, struct cw_error *err)
{
	struct procmap_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	bool *valid = calloc(pm->owner_count ? pm->owner_count : 1, sizeof(*valid));
	if (!valid)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	check_owners(pm, valid);
	int r = rebuild_map(pm, inodes, n, valid);
	free(valid);
	if (r == 0)
		r = compact_owners(pm);
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
	return 0;
}

const struct procmap_owner *procmap_owner_of(const struct procmap *pm, uint32_t inode)
{
	const int32_t *v = inohash_find(&pm->inodes, inode);
	return v && *v >= 0 ? &pm->owners[*v] : NULL;
}
