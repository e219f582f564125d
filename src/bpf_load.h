/* What the two BPF iterators (source_bpf.c: sockets, owners_bpf.c: socket owners) share: libbpf
 * kept quiet, one wording for a program that will not load, and the one loop that runs an
 * iterator and reads the fixed-size records it writes. Built only with the fast path (-Dbpf). */
#ifndef CW_BPF_LOAD_H
#define CW_BPF_LOAD_H

#include "error.h"

#include <stddef.h>

/* libbpf prints its own diagnostics (the verifier log, missing BTF) to stderr; connwatch says
 * once, in its own words, why the fast path is not used. Call before loading. */
void bpf_load_quiet(void);

/* Sets err for an iterator that did not load (errno e, 0 if unknown): the capabilities it needs
 * when the kernel refused them, else the reason. Returns the negative errno. */
int bpf_load_error(struct cw_error *err, int e);

/* Receives n whole records (rec_size bytes each, back to back, aligned for 8-byte fields).
 * Returns 0 to read on, a positive value to stop early (not an error), or a negative errno
 * with its own error set (returned as is by bpf_iter_read). */
typedef int (*bpf_iter_take_fn)(void *arg, const void *recs, size_t n);

/* Runs the iterator of the BPF link link_fd once and hands every whole record to take, in batches
 * of what the kernel gives per read (its seq buffer, 32 KiB at most). rec_size must divide 32 KiB.
 * A record split between two reads is joined; bytes left over at the end (a truncated record, never
 * seen in practice) are reported in *truncated. Returns 0, take's negative result, or a negative
 * errno with err set when the iterator cannot be run or read. */
int bpf_iter_read(int link_fd, size_t rec_size, bpf_iter_take_fn take, void *arg, size_t *truncated,
                  struct cw_error *err);

#endif
