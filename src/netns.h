/* Network namespaces to read sockets from (--netns NAME|PATH|PID|all).
 *
 * A namespace is opened as a file descriptor (/run/netns/NAME as `ip netns` makes them, a path
 * such as /proc/PID/ns/net, or a pid) and identified by its inode, as `ip netns identify` and
 * lsns do. Sockets are read through a netlink socket created by a short-lived thread that
 * setns()es into the namespace: a socket stays bound to the namespace it was created in, so the
 * dump then runs on our own thread and the process itself never leaves its namespace (serve
 * keeps listening where it was started). setns needs CAP_SYS_ADMIN.
 *
 * `all` is every namespace that a name under /run/netns or a process holds, each once by inode,
 * ours first. A namespace without a name is labelled "net:[INODE]" plus the unit or container of
 * a process in it, so that rows from a container's namespace say whose they are. */
#ifndef CW_NETNS_H
#define CW_NETNS_H

#include "cgroup_owner.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETNS_LABEL_MAX 128

struct netns_entry {
	int fd;                      /* open namespace file, owned; -1 for our own namespace */
	uint64_t inode;              /* the namespace's inode (lsns's NS column) */
	char name[64];               /* /run/netns name, or "" */
	int32_t pid;                 /* a process in it (0 unknown): its unit/container labels it */
	char label[NETNS_LABEL_MAX]; /* "NAME", "net:[INODE] docker:web", "host" ... */
	char link[32];               /* "net:[INODE]", as /proc/PID/ns/net reads */
};

struct netns_set {
	struct netns_entry *items; /* owned; items[0] is the first read */
	size_t count, capacity;
	bool all; /* --netns all: the label goes into metrics and grouping */
};

/* Opens the namespaces spec names into set (emptied first): "all", a name under /run/netns,
 * a path (contains '/'), or a pid. proc_root is /proc (NULL = "/proc"), run_netns /run/netns
 * (NULL = "/run/netns"): tests may point them elsewhere. Returns 0, or a negative errno with a
 * message naming what was not found. Free with netns_set_free(). */
int netns_set_open(struct netns_set *set, const char *spec, const char *proc_root,
                   const char *run_netns, struct cw_error *err);

void netns_set_free(struct netns_set *set);

/* A socket(domain, type, protocol) created inside the namespace of entry e (our own for
 * e->fd < 0). Returns the fd or a negative errno with err set: -EPERM says CAP_SYS_ADMIN is
 * needed. */
int netns_socket(const struct netns_entry *e, int domain, int type, int protocol,
                 struct cw_error *err);

/* The label of namespace index i of set; "" when set is NULL or i is out of range. */
const char *netns_label(const struct netns_set *set, unsigned i);

/* Pure: the label of a namespace from its parts: the name when it has one, else "net:[INODE]"
 * and then the container label, else the unit, of a process in it (cg may be NULL). */
void netns_make_label(char *out, size_t len, const char *name, uint64_t inode,
                      const struct cgroup_owner *cg, bool ours);

/* Pure: the spec kind: 0 "all", 1 name, 2 path, 3 pid; -1 invalid (empty, a name with
 * characters `ip netns` refuses, too long). */
int netns_spec_kind(const char *spec);

#endif
