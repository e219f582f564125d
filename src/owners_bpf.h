/* Socket owners for -p from a BPF task-file iterator (src/bpf/task_sockets.bpf.c): every
 * (pid, socket inode) pair of the machine in a few reads, instead of a readlink() per file
 * descriptor in /proc (about 2 us each). Needs CAP_BPF and CAP_PERFMON (or root), the kernel's
 * BTF, and connwatch in the initial pid namespace (the iterator's pids are the kernel's); when
 * any is missing, procmap walks /proc as before and finds the same owners. */
#ifndef CW_OWNERS_BPF_H
#define CW_OWNERS_BPF_H

#include "error.h"
#include "procmap.h"

struct owners_bpf;

/* Loads the iterator. Returns 0 with *out set (free with owners_bpf_close()), or a negative
 * errno with err set (-EOPNOTSUPP when connwatch was built without BPF). */
int owners_bpf_open(struct owners_bpf **out, struct cw_error *err);

void owners_bpf_close(struct owners_bpf *b);

/* Runs the iterator once now, on a thread of its own, keeping every pair in memory (8 bytes per
 * socket of the machine): the next list() of b's lister hands over those pairs instead of running
 * it. For a one-shot command with a large table, which then reads the owners on a second core
 * while the kernel dumps the sockets, as ss reads /proc before its dump: a socket opened during
 * the dump may show no owner. Returns 0 (also for b NULL), or -EAGAIN when no thread could be
 * started (list() then runs the iterator as before). */
int owners_bpf_start(struct owners_bpf *b);

/* The procmap lister that reads b (see procmap_set_lister()). */
struct procmap_lister owners_bpf_lister(struct owners_bpf *b);

#endif
