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

/* The procmap lister that reads b (see procmap_set_lister()). */
struct procmap_lister owners_bpf_lister(struct owners_bpf *b);

#endif
