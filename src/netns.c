#include "netns.h"

#include "container_names.h"
#include "i18n.h"
#include "util/parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int netns_spec_kind(const char *spec)
{
	size_t n = spec ? strlen(spec) : 0;
	if (n == 0 || n >= 256)
		return -1;
	if (!strcmp(spec, "all"))
		return 0;
	if (strchr(spec, '/'))
		return 2;
	uint64_t pid;
	if (parse_dec_str(spec, 1, INT32_MAX, &pid))
		return 3;
	/* `ip netns add` makes a file of that name under /run/netns: no '/', not "." or "..". */
	if (!strcmp(spec, ".") || !strcmp(spec, "..") ||
	    n >= sizeof(((struct netns_entry *)0)->name))
		return -1;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)spec[i] < 0x21 || spec[i] == 0x7f)
			return -1;
	return 1;
}

void netns_make_label(char *out, size_t len, const char *name, uint64_t inode,
                      const struct cgroup_owner *cg, bool ours)
{
	if (name && name[0]) {
		snprintf(out, len, "%s", name);
		return;
	}
	if (ours) {
		snprintf(out, len, "host");
		return;
	}
	char who[CGROUP_UNIT_MAX + 32] = "";
	if (cg)
		cgroup_owner_label(cg, who, sizeof(who));
	snprintf(out, len, who[0] ? "net:[%llu] %.90s" : "net:[%llu]", (unsigned long long)inode,
	         who);
}

const char *netns_label(const struct netns_set *set, unsigned i)
{
	return set && i < set->count ? set->items[i].label : "";
}

void netns_set_free(struct netns_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].fd >= 0)
			close(set->items[i].fd);
	free(set->items);
	memset(set, 0, sizeof(*set));
}

static struct netns_entry *add_entry(struct netns_set *set)
{
	if (set->count == set->capacity) {
		size_t cap = set->capacity ? set->capacity * 2 : 8;
		if (cap > UINT16_MAX) /* rows carry the index in 16 bits */
			return NULL;
		struct netns_entry *e = realloc(set->items, cap * sizeof(*e));
		if (!e)
			return NULL;
		set->items = e;
		set->capacity = cap;
	}
	struct netns_entry *e = &set->items[set->count++];
	memset(e, 0, sizeof(*e));
	e->fd = -1;
	return e;
}

static bool have_inode(const struct netns_set *set, uint64_t inode)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->items[i].inode == inode)
			return true;
	return false;
}

/* Opens path as a network namespace: fd, or a negative errno (-EINVAL: not one). */
static int open_netns(const char *path, uint64_t *inode)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET || fstat(fd, &st) < 0) {
		close(fd);
		return -EINVAL;
	}
	*inode = (uint64_t)st.st_ino;
	return fd;
}

static void finish_entry(struct netns_entry *e, const char *proc_root, uint64_t own, uint64_t init)
{
	snprintf(e->link, sizeof(e->link), "net:[%llu]", (unsigned long long)e->inode);
	struct cgroup_owner cg;
	bool have_cg = false;
	if (!e->name[0] && e->pid > 0 && e->inode != own) {
		struct container_names cn;
		container_names_init(&cn, NULL);
		int procfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		char pid[16];
		snprintf(pid, sizeof(pid), "%d", (int)e->pid);
		have_cg = procfd >= 0 && container_names_read(&cn, procfd, pid, &cg);
		if (procfd >= 0)
			close(procfd);
		container_names_free(&cn);
	}
	netns_make_label(e->label, sizeof(e->label), e->name, e->inode, have_cg ? &cg : NULL,
	                 e->inode == own && own == init);
}

static uint64_t inode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Every namespace: ours, the named ones, then those of processes; each once. */
static int open_all(struct netns_set *set, const char *proc_root, const char *run_netns,
                    uint64_t own, uint64_t init, struct cw_error *err)
{
	set->all = true;
	struct netns_entry *e = add_entry(set);
	if (!e)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	e->inode = own;
	e->pid = getpid();
	finish_entry(e, proc_root, own, init);
	DIR *d = opendir(run_netns);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[512];
		uint64_t ino;
		if (de->d_name[0] == '.' || netns_spec_kind(de->d_name) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s", run_netns, de->d_name);
		int fd = open_netns(path, &ino);
		if (fd < 0)
			continue; /* a stale name (its mount is gone), or not ours to open */
		if (have_inode(set, ino) || !(e = add_entry(set))) {
			close(fd);
			continue;
		}
		e->fd = fd;
		e->inode = ino;
		memcpy(e->name, de->d_name, strnlen(de->d_name, sizeof(e->name) - 1));
		finish_entry(e, proc_root, own, init);
	}
	if (d)
		closedir(d);
	d = opendir(proc_root);
	if (!d)
		return cw_error_set(err, -errno, _("cannot read %s to find the processes: %s"),
		                    proc_root, strerror(errno));
	while ((de = readdir(d))) {
		uint64_t pid;
		if (!parse_dec_str(de->d_name, 1, INT32_MAX, &pid))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s/ns/net", proc_root, de->d_name);
		uint64_t ino = inode_of(path);
		if (!ino || have_inode(set, ino))
			continue;
		int fd = open_netns(path, &ino);
		if (fd < 0)
			continue; /* gone, or a process we may not look into */
		if (have_inode(set, ino) || !(e = add_entry(set))) {
			close(fd);
			continue;
		}
		e->fd = fd;
		e->inode = ino;
		e->pid = (int32_t)pid;
		finish_entry(e, proc_root, own, init);
	}
	closedir(d);
	return 0;
}

int netns_set_open(struct netns_set *set, const char *spec, const char *proc_root,
                   const char *run_netns, struct cw_error *err)
{
	memset(set, 0, sizeof(*set));
	proc_root = proc_root ? proc_root : "/proc";
	run_netns = run_netns ? run_netns : "/run/netns";
	char path[512];
	snprintf(path, sizeof(path), "%s/self/ns/net", proc_root);
	uint64_t own = inode_of(path);
	snprintf(path, sizeof(path), "%s/1/ns/net", proc_root);
	uint64_t init = inode_of(path);
	int kind = netns_spec_kind(spec);
	if (kind < 0)
		return cw_error_set(err, -EINVAL,
		                    _("invalid --netns '%s': give a name under /run/netns, a path, "
		                      "a pid or all"),
		                    spec ? spec : "");
	if (kind == 0) {
		int r = open_all(set, proc_root, run_netns, own, init, err);
		if (r < 0)
			netns_set_free(set);
		return r;
	}
	if (kind == 1)
		snprintf(path, sizeof(path), "%s/%s", run_netns, spec);
	else if (kind == 2)
		snprintf(path, sizeof(path), "%s", spec);
	else
		snprintf(path, sizeof(path), "%s/%s/ns/net", proc_root, spec);
	uint64_t ino;
	int fd = open_netns(path, &ino);
	if (fd < 0)
		return cw_error_set(err, fd,
		                    fd == -EINVAL ? _("--netns %s: %s is not a network namespace")
		                                  : _("--netns %s: cannot open %s"),
		                    spec, path);
	struct netns_entry *e = add_entry(set);
	if (!e) {
		close(fd);
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	}
	e->fd = fd;
	e->inode = ino;
	size_t rl = strlen(run_netns);
	if (kind == 2 && !strncmp(spec, run_netns, rl) && spec[rl] == '/' &&
	    netns_spec_kind(spec + rl + 1) == 1) {
		spec += rl + 1; /* /run/netns/NAME is the name NAME */
		kind = 1;
	}
	if (kind == 1)
		snprintf(e->name, sizeof(e->name), "%s", spec);
	if (kind == 3)
		e->pid = (int32_t)strtol(spec, NULL, 10);
	finish_entry(e, proc_root, own, init);
	return 0;
}

struct ns_call {
	const struct netns_entry *e;
	int domain, type, protocol;
	int fd, error;
};

/* Runs on its own thread: setns changes only the calling thread's namespace, and the thread
 * ends right after, so no other code of ours ever runs in the other namespace. */
static void *socket_in_netns(void *arg)
{
	struct ns_call *c = arg;
	if (setns(c->e->fd, CLONE_NEWNET) < 0) {
		c->error = errno;
		return NULL;
	}
	c->fd = socket(c->domain, c->type, c->protocol);
	if (c->fd < 0)
		c->error = errno;
	return NULL;
}

int netns_socket(const struct netns_entry *e, int domain, int type, int protocol,
                 struct cw_error *err)
{
	if (e->fd < 0) {
		int fd = socket(domain, type, protocol);
		return fd >= 0 ? fd
		               : cw_error_set(err, -errno, _("cannot open a netlink socket: %s"),
		                              strerror(errno));
	}
	struct ns_call c = {.e = e, .domain = domain, .type = type, .protocol = protocol, .fd = -1};
	pthread_t t;
	int r = pthread_create(&t, NULL, socket_in_netns, &c);
	if (r != 0)
		return cw_error_set(err, -r, _("cannot start a thread: %s"), strerror(r));
	pthread_join(t, NULL);
	if (c.fd >= 0)
		return c.fd;
	if (c.error == EPERM)
		return cw_error_set(err, -EPERM,
		                    _("cannot enter network namespace %s: reading another "
		                      "namespace needs CAP_SYS_ADMIN (run as root)"),
		                    e->label);
	return cw_error_set(err, -c.error, _("cannot open a socket in network namespace %s: %s"),
	                    e->label, strerror(c.error));
}
