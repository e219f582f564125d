/* Thresholds of the diagnosis from configuration files and --threshold flags.
 *
 * Files (later ones override earlier ones): /etc/connwatch.conf, then
 * $XDG_CONFIG_HOME/connwatch.conf (default ~/.config/connwatch.conf); --config FILE reads only
 * FILE instead. Then each --threshold NAME=VALUE. Format, one setting per line:
 *     # comment
 *     syn_recv_warning = 100
 *     close_wait_age = 2m
 * Units: counts and percents are plain numbers; ages take s, m or h (default s); byte sizes
 * take K, M or G (KiB, MiB, GiB). A bad line is an error naming the file and the line.
 * (Named cw_config.h because the build's config.h holds the version.) */
#ifndef CW_CW_CONFIG_H
#define CW_CW_CONFIG_H

#include "diagnose.h"
#include "error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum config_unit {
	CONFIG_COUNT,
	CONFIG_PERCENT,
	CONFIG_SECONDS,
	CONFIG_BYTES,
};

struct config_key {
	const char *name; /* as written in files and --threshold */
	size_t offset;    /* of a uint32_t in struct diag_config */
	enum config_unit unit;
	const char *help; /* N_() marked */
};

extern const struct config_key config_keys[];
extern const size_t config_key_count;

/* Sets one threshold from its text value. `where` ("FILE:LINE" or "--threshold") prefixes the
 * error. Returns 0 or -EINVAL with err set. */
int config_set(struct diag_config *cfg, const char *name, const char *value, const char *where,
               struct cw_error *err);

/* Applies "NAME=VALUE" (a --threshold argument). */
int config_set_assignment(struct diag_config *cfg, const char *assignment, struct cw_error *err);

/* Reads settings from an open stream named `path` in messages. Returns 0 or -EINVAL. */
int config_read_stream(struct diag_config *cfg, FILE *f, const char *path, struct cw_error *err);

/* Reads a file. A missing file is fine when !must_exist (returns 0). */
int config_read_file(struct diag_config *cfg, const char *path, bool must_exist,
                     struct cw_error *err);

/* Default files that exist but could not be read (permissions, a directory): skipped with a
 * warning for the caller to print, not fatal. A bad value in them still is. */
#define CONFIG_DEFAULT_FILES 2
struct config_skipped {
	unsigned int count;
	char msg[CONFIG_DEFAULT_FILES][512]; /* translated, ready after "connwatch: warning: " */
};

/* Defaults, then the files (or only `explicit_path` when not NULL), then the assignments.
 * skipped (may be NULL) receives the default files that could not be read. */
int config_load(struct diag_config *cfg, const char *explicit_path, const char *const *assignments,
                size_t assignment_count, struct config_skipped *skipped, struct cw_error *err);

/* Prints every key with its default value and help, as a commented config file. */
void config_print_defaults(FILE *out);

#endif
