/* What the two BPF iterators (source_bpf.c: sockets, owners_bpf.c: socket owners) share when they
 * load: libbpf kept quiet, and one wording for a program that will not load. Built only with
 * the fast path (-Dbpf). */
#ifndef CW_BPF_LOAD_H
#define CW_BPF_LOAD_H

#include "error.h"

/* libbpf prints its own diagnostics (the verifier log, missing BTF) to stderr; connwatch says
 * once, in its own words, why the fast path is not used. Call before loading. */
void bpf_load_quiet(void);

/* Sets err for an iterator that did not load (errno e, 0 if unknown): the capabilities it needs
 * when the kernel refused them, else the reason. Returns the negative errno. */
int bpf_load_error(struct cw_error *err, int e);

#endif
