/* Helpers shared by the cmd_*.c files: printing what a collection noted. */
#ifndef CW_CMD_COMMON_H
#define CW_CMD_COMMON_H

#include "collect.h"
#include "snapshot.h"

#include <stdbool.h>
#include <stdio.h>

/* Prints "connwatch: " + message to stderr. */
void cmd_print_error(const char *msg);

/* Prints the snapshot's notes (skipped lines, interrupted dumps) and, once, a fallback notice.
 * Returns the exit code the notes call for: CW_EXIT_PARTIAL when input was skipped, else OK. */
int cmd_report_notes(struct collector *col, const struct snapshot *snap);

struct procmap_info;

/* Says, once per process lifetime of the caller's flag, that some sockets' owners could not be
 * seen (not root), like netstat's "(Not all processes could be identified ...)". *said keeps it
 * from repeating in the live view. Prints nothing when every owner was found. */
void cmd_report_owners(const struct procmap_info *info, bool *said);

/* Loads the BPF fast path for a command (collector_open_bpf(); resident: live and serve). When it
 * cannot load by default, says once on stderr that sock_diag is used instead. Returns CW_EXIT_OK
 * with *out set or NULL, or CW_EXIT_RUNTIME after printing the error when --source bpf cannot
 * load. */
int cmd_open_bpf(const struct cw_options *o, bool resident, struct bpf_source **out);

/* With -p: finds owners through the BPF task-file iterator when it loads (owners_bpf.h), else
 * leaves pm walking /proc; the owners are the same, so nothing is said. Free *out with
 * owners_bpf_close() after the last use of pm. */
struct owners_bpf;
struct procmap;
void cmd_open_bpf_owners(const struct cw_options *o, struct procmap *pm, struct owners_bpf **out);

/* Exit code for a failed write to stdout: quiet success on a closed pipe (`| head`), else an
 * error message and CW_EXIT_RUNTIME. */
int cmd_output_status(FILE *out);

/* Prints a warning for each default config file that could not be read and was skipped. */
struct config_skipped;
void cmd_report_config_skipped(const struct config_skipped *skipped);

/* Loads the diagnosis thresholds (files, --config, --threshold); prints the error and returns
 * CW_EXIT_USAGE when a value is bad, else CW_EXIT_OK. */
struct diag_config;
struct cw_options;
int cmd_load_config(const struct cw_options *o, struct diag_config *cfg);

/* After the sockets were counted into t: the CLOSE_WAIT ages, from a second dump, when one can
 * change a verdict (see collector_take_close_wait_ages). Returns 0 or a negative errno with err
 * set. */
struct tally;
int cmd_add_close_wait_ages(struct collector *col, struct tally *t, struct cw_error *err);

/* Diagnoses a tally and prints it as text or JSON (--json); returns the exit code of the output
 * (summary and import share it). */
int cmd_render_summary(const struct cw_options *o, struct tally *t);

#endif
