/* Which process holds each socket: socket inode -> pid, name and command line, found by walking
 * /proc/PID/fd (the links read "socket:[INODE]"). Knows nothing about sockets beyond the inode.
 *
 * Cost: reading one fd link costs about 2 µs in the kernel, so the walk is what makes `-p` slow
 * in netstat and ss. This map keeps it cheap by:
 *   - looking up only the inodes asked for, and stopping as soon as all of them are found;
 *   - readlinkat() relative to an open /proc/PID/fd directory and getdents64 with a large
 *     buffer, so no path is resolved from / for each link and no DIR is allocated per process;
 *   - one flat open-addressing hash for the inodes (util/inohash.h), no allocation per socket;
 *   - reading /proc/PID/stat and cmdline only for processes that hold a wanted socket;
 *   - visiting the processes of our own network namespace first (the sockets listed are in it);
 *   - one walker thread per core (at most 4), taking whole processes from a shared queue.
 * readlink, not stat: stat follows the link into the file's own filesystem (a hung NFS mount
 * would hang us) and measured only 6% faster (2.38 against 2.55 µs per fd on 19,000 sockets).
 *
 * Incremental use (the live view): keep one procmap and call procmap_resolve() with the inodes
 * of every new snapshot. Inodes already known keep their owner (after a cheap check, once per
 * owner process, that the pid still names the same process: its start time); only inodes not
 * seen before start a walk, which visits the processes that already own sockets first (they are
 * the likeliest to own the new ones) and stops when the new inodes are found. Inodes that were
 * looked for and not found do not start a walk again; they are picked up when a later walk
 * passes them. Inodes no longer asked for are forgotten, so memory follows the snapshot.
 *
 * Limits: a socket held by several processes (after fork) is given to one of them (whichever
 * walker reads it first; netstat also shows one). Processes whose fds cannot be read (not root:
 * other users' processes) are counted in procmap_info.denied and procmap_info.restricted is
 * set, so the caller can say once that some owners are unknown. */
#ifndef CW_PROCMAP_H
#define CW_PROCMAP_H

#include "cgroup_owner.h"
#include "container_names.h"
#include "error.h"
#include "util/inohash.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The kernel's task name is 16 bytes with the NUL (TASK_COMM_LEN); room is left should it grow. */
#define PROCMAP_NAME_MAX 64
/* Longer command lines are cut (a JVM's can be many kilobytes; this is for reading, not exec). */
#define PROCMAP_CMDLINE_MAX 4096

/* A process that holds a wanted socket. Every string is untrusted bytes from the process itself:
 * escape before a terminal (util/escape.h), write through util/jsonw.h for JSON. */
struct procmap_owner {
	int32_t pid;
	char name[PROCMAP_NAME_MAX]; /* /proc/PID/stat comm, NUL-terminated (may hold any byte) */
	char *cmdline; /* arguments joined by spaces, "" for kernel threads and zombies; owned */
	uint64_t
	    start_time; /* /proc/PID/stat field 22: tells a reused pid from the process we saw */
	struct cgroup_owner cgroup; /* its systemd unit and container (/proc/PID/cgroup), read
	                             * once when the process is first found; empty if unknown */
};

/* What the last procmap_resolve() did. */
struct procmap_info {
	size_t wanted;     /* distinct non-zero inodes asked for */
	size_t found;      /* of them, with a known owner */
	size_t unresolved; /* of them, held by no process we could see */
	size_t denied;     /* processes whose fd directory we were not allowed to read */
	size_t processes;  /* process fd directories read by the walk */
	size_t links;      /* fd links read by the walk */
	bool walked;       /* a walk of /proc happened (false: everything was known) */
	bool restricted;   /* some processes may be hidden from us: fds denied, or not root
	                    * (with hidepid other users' processes are not even listed) */
};

/* Another way to find the sockets of every process at once (the BPF task-file iterator,
 * owners_bpf.h): list calls visit(arg, pid, inode) for each socket any process holds, and stops
 * early when visit returns > 0. Returns 0, or a negative errno with err set; procmap then walks
 * /proc instead (and no longer asks the lister), except after -ENOMEM. */
typedef int (*procmap_visit_fn)(void *arg, int32_t pid, uint32_t inode);
struct procmap_lister {
	int (*list)(void *ctx, procmap_visit_fn visit, void *arg, struct cw_error *err);
	void *ctx;
};

/* The map. Treat as opaque: use the functions. */
struct procmap {
	const char *proc_root;        /* borrowed; "/proc" by default */
	struct inohash inodes;        /* inode -> owner index, or PROCMAP_PENDING / _NOT_FOUND */
	struct procmap_owner *owners; /* owned array; indices are stable until the next resolve */
	size_t owner_count, owner_capacity;
	unsigned char *dirbuf;        /* getdents64 buffer, allocated once */
	size_t pending;               /* wanted inodes not yet found in this resolve */
	struct procmap_lister lister; /* zeroed: walk /proc */
	const char *prefer_netns;     /* borrowed "net:[INODE]": visit that namespace's processes
	                               * first (--netns); NULL = our own namespace's */
	struct container_names names; /* container names by id; names.root is where the
	                               * runtimes' files are ("" = /; tests point it elsewhere) */
	const atomic_bool *cancel;    /* borrowed; set by another thread to end a resolve early
	                               * (the live screen quitting during a long walk); NULL:
	                               * never. Looked at per fd link and per 4096 listed pairs */
};

/* Sets pm up empty. proc_root is the /proc to read (tests pass a made-up tree); NULL = "/proc".
 * The string is borrowed and must outlive pm. Free with procmap_free(). */
void procmap_init(struct procmap *pm, const char *proc_root);

void procmap_free(struct procmap *pm);

/* Finds owners through l (borrowed; it must outlive pm's use) instead of reading every fd link
 * of /proc. The processes' names and command lines still come from /proc. */
void procmap_set_lister(struct procmap *pm, const struct procmap_lister *l);

/* Finds the owners of inodes[0..n) (0 entries and repeats are ignored), reusing what an earlier
 * call found (see the top of this file). Returns 0, or a negative errno with err set when /proc
 * itself cannot be read or memory runs out. Processes that vanish or change during the walk are
 * skipped without error. info (may be NULL) says what was found and what could not be seen. */
int procmap_resolve(struct procmap *pm, const uint32_t *inodes, size_t n, struct procmap_info *info,
                    struct cw_error *err);

/* As procmap_resolve(), but starting from what `known` found instead of from pm's own earlier
 * state (pm's inodes and owners are dropped first): inodes known there keep their owner, only the
 * others cost a walk. known is only read, so another thread may read it meanwhile: the live
 * screen resolves the next refresh into one map while the other is on view, then exchanges
 * them. known == pm is procmap_resolve(). A cancelled resolve returns -ECANCELED and leaves pm
 * holding part of the answer: resolve from known again. */
int procmap_resolve_from(struct procmap *pm, const struct procmap *known, const uint32_t *inodes,
                         size_t n, struct procmap_info *info, struct cw_error *err);

/* The process holding the socket with this inode, or NULL (unknown, or inode 0). The pointer is
 * valid until the next procmap_resolve() or procmap_free(). */
const struct procmap_owner *procmap_owner_of(const struct procmap *pm, uint32_t inode);

/* A hint for a procmap_owner_of(pm, inode) PROCMAP_PREFETCH_AHEAD rows later
 * (inohash_prefetch()). Rows come in the kernel's hash order, so each lookup of a large table is
 * a cache miss (8% of `list -p` at 224,000 sockets, one miss at a time) unless several are
 * under way at once. */
#define PROCMAP_PREFETCH_AHEAD 16
void procmap_prefetch(const struct procmap *pm, uint32_t inode);

/* The owner with this pid, or NULL. Linear in the number of owner processes (they are few:
 * only processes holding a wanted socket); for the per-process lines of a summary. */
const struct procmap_owner *procmap_owner_by_pid(const struct procmap *pm, int32_t pid);

/* Parses an fd link's target: "socket:[12345]" gives true and *inode = 12345. Anything else
 * (files, pipes, "socket:[", numbers past 32 bits, trailing junk) gives false. len is the
 * length readlink returned (the buffer is not NUL-terminated). */
bool procmap_parse_socket_link(const char *link, size_t len, uint32_t *inode);

/* Parses /proc/PID/stat text: the name between the first '(' and the LAST ')' (a name may hold
 * ')' itself) into name (NUL-terminated, cut to namelen - 1) and field 22 (start time). Returns
 * false for text that does not have that shape. */
bool procmap_parse_stat(const char *text, size_t len, char *name, size_t namelen,
                        uint64_t *start_time);

#endif
