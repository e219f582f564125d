/* Which systemd unit and which container a process belongs to, told by its /proc/PID/cgroup.
 * Pure: text in, fields out; no I/O (container_names.c reads the runtimes' files for names).
 *
 * The file has one line per hierarchy, "ID:CONTROLLERS:PATH" (cgroups(7)): "0::PATH" is the
 * cgroup v2 hierarchy, "N:name=systemd:PATH" the v1 hierarchy systemd keeps on hybrid and legacy
 * hosts; other v1 controller lines still carry a container's path (Docker's cgroupfs driver).
 * Units come from the v2 line, else from name=systemd; a container from the first line that
 * names one (v2, then name=systemd, then the others). The path formats each runtime writes are
 * listed, with their sources, in tests/fixtures/cgroup/README.md. */
#ifndef CW_CGROUP_OWNER_H
#define CW_CGROUP_OWNER_H

#include <stdbool.h>
#include <stddef.h>

enum cgroup_runtime {
	CGROUP_RT_NONE = 0,
	CGROUP_RT_DOCKER,
	CGROUP_RT_PODMAN,
	CGROUP_RT_CONTAINERD, /* containerd's CRI plugin (cri-containerd-) or nerdctl */
	CGROUP_RT_CRIO,
	CGROUP_RT_KUBERNETES, /* a kubepods path whose runtime the path does not say (cgroupfs) */
	CGROUP_RT_OTHER,      /* a 64-hex id below an unknown parent */
};

#define CGROUP_UNIT_MAX     256
#define CGROUP_ID_LEN       64 /* every runtime above uses 64 hex digits (a sha256) */
#define CGROUP_SHORT_ID_LEN 12 /* as `docker ps` shows it */
#define CGROUP_POD_MAX      40 /* a Kubernetes pod uid, 36 characters with dashes */
#define CGROUP_NAME_MAX     128

struct cgroup_owner {
	char unit[CGROUP_UNIT_MAX]; /* "nginx.service", "user@1000.service/app.service"; "" */
	char id[CGROUP_ID_LEN + 1]; /* container id, lower-case hex; "" when none */
	char pod[CGROUP_POD_MAX];   /* Kubernetes pod uid ("" when none) */
	char name[CGROUP_NAME_MAX]; /* container name from the runtime's files, "" unknown;
	                             * untrusted bytes: escape before printing */
	unsigned char runtime;      /* enum cgroup_runtime */
};

/* Parses the text of /proc/PID/cgroup (len bytes, need not be NUL-terminated) into o (cleared
 * first). Returns true when at least one line had the "ID:CONTROLLERS:PATH" shape; lines that do
 * not are skipped. Components longer than the fields are ignored, never cut into a wrong name. */
bool cgroup_owner_parse(const char *text, size_t len, struct cgroup_owner *o);

/* "docker", "podman", "containerd", "cri-o", "kubernetes", "container"; NULL for NONE. */
const char *cgroup_runtime_name(unsigned runtime);

/* The container's label for a table cell: "RUNTIME:NAME" when the name is known, else
 * "RUNTIME:SHORTID"; the unit when there is no container; "" when neither. NUL-terminated,
 * cut to len - 1 bytes. Not escaped. Returns the length. */
size_t cgroup_owner_label(const struct cgroup_owner *o, char *buf, size_t len);

/* The first 12 digits of the id ("" when none) into buf (at least 13 bytes). */
void cgroup_owner_short_id(const struct cgroup_owner *o, char *buf);

/* Finds the first string member "key": "VALUE" in JSON text and copies VALUE, unescaped (\" \\
 * \/ and \uXXXX below 0x80; other escapes become '?'), into out, cut to outlen - 1. A lookup in
 * the runtimes' config files, not a JSON parser: it does not tell nesting levels apart, so
 * callers pick keys that occur once. A list's first string stands for the list (Podman's
 * "names"). Returns false when the key is absent or its value is neither. */
bool cgroup_json_string(const char *text, size_t len, const char *key, char *out, size_t outlen);

#endif
