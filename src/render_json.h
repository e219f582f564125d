/* JSON documents (see docs/json.md). The version changes only on incompatible changes. */
#ifndef CW_RENDER_JSON_H
#define CW_RENDER_JSON_H

#include "snapshot.h"
#include "util/jsonw.h"

#include <stdio.h>

#define CW_JSON_VERSION 1

/* Writes one connection as a JSON object. */
void render_json_conn(struct jsonw *w, const struct conn *c);

/* The members of that object without the braces, for documents that add members per row. */
void render_json_conn_fields(struct jsonw *w, const struct conn *c);

struct procmap;

/* Writes one connection with its owner (-p): the fields of render_json_conn plus "pid" and
 * "process" (the name), null where the owner is unknown. */
void render_json_conn_owner(struct jsonw *w, const struct conn *c, const struct procmap *owners);

struct cgroup_owner;

/* The members "unit" (string or null) and "container" (null, or an object with runtime, id,
 * short_id, name and pod_uid, the last two null when unknown) of a process; cg NULL = unknown. */
void render_json_cgroup(struct jsonw *w, const struct cgroup_owner *cg);

/* `connwatch list --json`: {"version": 1, "connections": [...]} and a newline. */
int render_json_list(FILE *out, const struct snapshot *snap);

/* The same with "pid" and "process" in each connection when owners is not NULL (-p). */
int render_json_list_owners(FILE *out, const struct snapshot *snap, const struct procmap *owners);

#endif
