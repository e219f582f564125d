/* The enrich stage: what the socket rows alone do not say, added after the source filled them
 * (today: the process owning each socket, through procmap). */
#ifndef CW_ENRICH_H
#define CW_ENRICH_H

#include "error.h"
#include "procmap.h"
#include "snapshot.h"
#include "tally.h"

/* Resolves the owners of every socket in snap (rows with inode 0, TIME_WAIT and orphans, have
 * none). Call it after filtering so that only shown sockets are looked for. With the same pm on
 * every refresh only new sockets cost a walk (see procmap.h). Returns 0 or a negative errno with
 * err set; info as procmap_resolve's. */
int enrich_owners(struct procmap *pm, const struct snapshot *snap, struct procmap_info *info,
                  struct cw_error *err);

/* The same, starting from what `known` found (procmap_resolve_from()): the live screen fills one
 * map while the other, known, is on view. */
int enrich_owners_from(struct procmap *pm, const struct procmap *known, const struct snapshot *snap,
                       struct procmap_info *info, struct cw_error *err);

/* Points the tally's owner hook at pm (borrowed: it must outlive the tally's rendering). */
void enrich_tally_owners(struct tally_owner_hook *hook, const struct procmap *pm);

/* Points the tally's owner hook at the processes imported text names (netstat -p, ss -p:
 * snap->owners and conn.owner, filled as the text source reads). Only the pid and the program
 * name are known. Borrowed: snap must outlive the tally's rendering. */
void enrich_tally_text_owners(struct tally_owner_hook *hook, const struct snapshot *snap);

#endif
