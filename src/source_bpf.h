/* The resident fast path (issue 12): a BPF iterator over the kernel's TCP sockets
 * (src/bpf/tcp_iter.bpf.c), loaded once by a long-running view (live, record, serve) or by
 * --source bpf and run at every refresh or scrape. Loading costs about 11 ms and needs CAP_BPF
 * and CAP_PERFMON (or root) and the kernel's BTF; a run costs about two thirds of a sock_diag
 * dump (0.6 of it is the kernel's own walk) when ordinary connections, TIME_WAIT and request
 * sockets are only counted (a snapshot sink with counts, see snapshot.h). Built only
 * with -Dbpf (libbpf); otherwise bpf_source_open() says so. */
#ifndef CW_SOURCE_BPF_H
#define CW_SOURCE_BPF_H

#include "error.h"
#include "snapshot.h"
#include "source.h"

#include <stdbool.h>

struct bpf_source;

/* True when this connwatch was built with the fast path. */
bool bpf_source_built(void);

/* Loads the iterator. Returns 0 with *out set (free with bpf_source_close()), or a negative
 * errno with err set: -EOPNOTSUPP when not built in, -EPERM without the capabilities, another
 * errno when the kernel has no BTF or refuses the program. */
int bpf_source_open(struct bpf_source **out, struct cw_error *err);

void bpf_source_close(struct bpf_source *b);

/* close_wait (may be NULL) receives a copy of every CLOSE_WAIT row with its age (time since the
 * peer's FIN, read in the same walk), for collector_take_close_wait_ages(); in snap their age is
 * unknown unless req asks for tcp_info, as sock_diag's first dump leaves it.
 * Appends the TCP sockets req asks for to snap (UDP, which iter/tcp does not walk, is left to
 * the caller: collector_take() reads it through sock_diag or /proc) and sets its source_name to
 * "bpf". Runs are serialised, so threads may share one source. Returns 0 or a negative errno
 * with err set. */
int bpf_source_fill(struct bpf_source *b, const struct source_request *req, struct snapshot *snap,
                    struct snapshot *close_wait, struct cw_error *err);

#endif
