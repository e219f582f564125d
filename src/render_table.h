/* The netstat-style text table of `connwatch list`. */
#ifndef CW_RENDER_TABLE_H
#define CW_RENDER_TABLE_H

#include "snapshot.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* "tcp", "tcp6", "udp", "udp6": netstat's protocol names. */
const char *conn_proto_name(const struct conn *c);

/* The state column as netstat shows it: TCP state names; "ESTABLISHED" for connected UDP and an
 * empty string for unconnected UDP. */
const char *conn_state_text(const struct conn *c);

/* Writes the table: a header line (when header) then one line per connection in the snapshot.
 * The address columns are at least 23 wide, as netstat's, and widen for long IPv6 addresses so
 * that the columns stay aligned. Returns 0, or -EIO when out fails. */
int render_table(FILE *out, const struct snapshot *snap, bool header);

/* The pieces of the table, for views that add columns (the live view). Room for one row, with
 * space to append a newline or more columns. */
#define RENDER_TABLE_LINE_MAX 256

/* The width of the address columns for the rows of snap (at least netstat's 23). */
size_t render_table_width(const struct snapshot *snap);

/* Writes one row without a newline (NUL-terminated) into line (RENDER_TABLE_LINE_MAX bytes);
 * returns its length. */
size_t render_table_row(char *line, const struct conn *c, size_t width);

/* Writes the header line without a newline. */
void render_table_header(FILE *out, size_t width);

struct procmap;
struct procmap_owner;

/* render_table with netstat -p's "PID/Program name" column when owners is not NULL. */
int render_table_owners(FILE *out, const struct snapshot *snap, bool header,
                        const struct procmap *owners);

/* The PID/Program name cell: "1234/nginx" with the name escaped for a terminal
 * (util/escape.h), or "-" for an unknown owner (o NULL), as netstat -p shows it. The live view
 * uses it too. Writes at most len bytes with the NUL; returns the length. */
#define OWNER_TEXT_MAX (16 + 4 * 64)
size_t owner_text(const struct procmap_owner *o, char *buf, size_t len);

/* The Unit/Container cell: the container ("docker:web", "podman:cf21d19260ac") or else the
 * systemd unit, escaped for a terminal; "-" when neither is known. Same contract as
 * owner_text. */
#define UNIT_TEXT_MAX (4 * 300)
size_t unit_text(const struct procmap_owner *o, char *buf, size_t len);

#endif
