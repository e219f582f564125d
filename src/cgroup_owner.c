#include "cgroup_owner.h"

#include "util/parse.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct span {
	const char *p;
	size_t n;
};

static bool ends_with(struct span s, const char *suffix)
{
	size_t k = strlen(suffix);
	return s.n >= k && !memcmp(s.p + s.n - k, suffix, k);
}

static bool starts_with(struct span s, const char *prefix)
{
	size_t k = strlen(prefix);
	return s.n >= k && !memcmp(s.p, prefix, k);
}

static bool equals(struct span s, const char *word)
{
	return s.n == strlen(word) && !memcmp(s.p, word, s.n);
}

static bool is_hex64(const char *p, size_t n)
{
	if (n != CGROUP_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

/* Units that hold processes: services and scopes (slices only group them). */
static bool is_unit(struct span s)
{
	return s.n > 6 && (ends_with(s, ".service") || ends_with(s, ".scope"));
}

/* "docker-ID.scope", "libpod-ID.scope", "cri-containerd-ID.scope", "crio-ID.scope",
 * "nerdctl-ID.scope" (systemd cgroup drivers), and "libpod-ID" (Podman's cgroupfs driver).
 * Podman's and CRI-O's monitor scopes ("libpod-conmon-ID", "crio-conmon-ID") are not the
 * container: the prefix test fails on them because "conmon-" is not hex. */
static unsigned scope_container(struct span s, struct span *id)
{
	static const struct {
		const char *prefix;
		unsigned runtime;
	} scopes[] = {
	    {"docker-", CGROUP_RT_DOCKER},
	    {"libpod-", CGROUP_RT_PODMAN},
	    {"cri-containerd-", CGROUP_RT_CONTAINERD},
	    {"crio-", CGROUP_RT_CRIO},
	    {"nerdctl-", CGROUP_RT_CONTAINERD},
	};
	struct span body = s;
	if (ends_with(body, ".scope"))
		body.n -= strlen(".scope");
	/* runc given a systemd-style path without the systemd driver writes it literally,
	 * "SLICE:PREFIX:ID" (containerd's CRI on cgroup v1 hosts): read it as "PREFIX-ID". */
	const char *colon = memchr(body.p, ':', body.n);
	char joined[CGROUP_ID_LEN + 32];
	if (colon) {
		struct span rest = {colon + 1, body.n - (size_t)(colon + 1 - body.p)};
		const char *c2 = memchr(rest.p, ':', rest.n);
		if (!c2 || rest.n >= sizeof(joined))
			return CGROUP_RT_NONE;
		memcpy(joined, rest.p, rest.n);
		joined[c2 - rest.p] = '-';
		body = (struct span){joined, rest.n};
		struct span inner;
		unsigned rt = scope_container(body, &inner);
		if (rt != CGROUP_RT_NONE) /* point into s, not into this stack buffer */
			*id = (struct span){s.p + (inner.p - joined) + (colon + 1 - s.p), inner.n};
		return rt;
	}
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		size_t k = strlen(scopes[i].prefix);
		if (starts_with(body, scopes[i].prefix) && is_hex64(body.p + k, body.n - k)) {
			*id = (struct span){body.p + k, body.n - k};
			return scopes[i].runtime;
		}
	}
	return CGROUP_RT_NONE;
}

/* A bare id below its parent: "/docker/ID" (Docker, cgroupfs), "/kubepods/.../podUID/ID"
 * (kubelet, cgroupfs), "/libpod_parent/.../ID", or containerd's "/NAMESPACE/ID". */
static unsigned bare_container(struct span parent)
{
	if (equals(parent, "docker"))
		return CGROUP_RT_DOCKER;
	if (starts_with(parent, "pod"))
		return CGROUP_RT_KUBERNETES;
	if (starts_with(parent, "libpod"))
		return CGROUP_RT_PODMAN;
	if (equals(parent, "k8s.io") || equals(parent, "default") || equals(parent, "moby"))
		return CGROUP_RT_CONTAINERD;
	return CGROUP_RT_OTHER;
}

/* "podUID" (cgroupfs) or "kubepods-QOS-podUID.slice" with '_' for '-' (systemd driver). */
static bool pod_uid(struct span s, char *out)
{
	const char *at = NULL;
	size_t n = 0;
	const char *colon = memchr(s.p, ':', s.n);
	if (colon)
		s.n = (size_t)(colon - s.p);
	if (starts_with(s, "pod")) {
		at = s.p + 3;
		n = s.n - 3;
	} else if (ends_with(s, ".slice") && s.n > 6 + 3) {
		/* "kubepods-QOS-podUID.slice", "kubelet-kubepods-QOS-podUID.slice"; a colon form's
		 * slice ends the same way once the ":PREFIX:ID" tail is gone (see scope_container).
		 */
		for (size_t i = s.n - strlen(".slice"); i >= 3 && !at; i--)
			if (!memcmp(s.p + i - 3, "pod", 3)) {
				at = s.p + i;
				n = s.n - strlen(".slice") - i;
			}
	}
	if (!at || n < 8 || n >= CGROUP_POD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = at[i] == '_' ? '-' : at[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

static void copy_span(char *dst, size_t cap, struct span s)
{
	size_t n = s.n < cap ? s.n : cap - 1;
	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

/* The unit of a path: its first service or scope; below a user manager (user@UID.service) the
 * deepest one too, as "user@1000.service/app.service", because the user's own unit is what
 * tells one user service from another. */
static void path_unit(const struct span *parts, size_t count, char *unit)
{
	size_t first = count, last = count;
	for (size_t i = 0; i < count; i++)
		if (is_unit(parts[i])) {
			if (first == count)
				first = i;
			last = i;
		}
	if (first == count || parts[first].n >= CGROUP_UNIT_MAX)
		return;
	copy_span(unit, CGROUP_UNIT_MAX, parts[first]);
	if (last != first && starts_with(parts[first], "user@") &&
	    parts[first].n + 1 + parts[last].n < CGROUP_UNIT_MAX) {
		size_t n = parts[first].n;
		unit[n] = '/';
		copy_span(unit + n + 1, CGROUP_UNIT_MAX - n - 1, parts[last]);
	}
}

/* The container of a path: the deepest id, so that a container inside a pod (or a scope below
 * a container's own systemd) is the one named. */
static void path_container(const struct span *parts, size_t count, struct cgroup_owner *o)
{
	char pod[CGROUP_POD_MAX] = "";
	unsigned runtime = CGROUP_RT_NONE;
	struct span id = {0};
	for (size_t i = 0; i < count; i++) {
		struct span found;
		unsigned rt = scope_container(parts[i], &found);
		if (rt == CGROUP_RT_NONE && i > 0 && is_hex64(parts[i].p, parts[i].n)) {
			rt = bare_container(parts[i - 1]);
			found = parts[i];
		}
		if (rt != CGROUP_RT_NONE) {
			runtime = rt;
			id = found;
		}
		char uid[CGROUP_POD_MAX];
		if (pod_uid(parts[i], uid))
			memcpy(pod, uid, sizeof(pod));
	}
	if (runtime == CGROUP_RT_NONE)
		return;
	o->runtime = (unsigned char)runtime;
	copy_span(o->id, sizeof(o->id), id);
	memcpy(o->pod, pod, sizeof(pod));
}

#define MAX_PARTS 32

static size_t split_path(struct span path, struct span *parts)
{
	size_t count = 0;
	const char *p = path.p, *end = path.p + path.n;
	while (p < end && count < MAX_PARTS) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		const char *stop = slash ? slash : end;
		if (stop > p)
			parts[count++] = (struct span){p, (size_t)(stop - p)};
		p = stop + 1;
	}
	return count;
}

/* One line's fields. */
struct cg_line {
	bool v2, systemd;
	struct span path;
};

static bool parse_line(struct span line, struct cg_line *out)
{
	const char *c1 = memchr(line.p, ':', line.n);
	if (!c1 || c1 == line.p)
		return false;
	for (const char *q = line.p; q < c1; q++)
		if (*q < '0' || *q > '9')
			return false;
	const char *rest = c1 + 1, *end = line.p + line.n;
	const char *c2 = memchr(rest, ':', (size_t)(end - rest));
	if (!c2 || c2 + 1 >= end || c2[1] != '/')
		return false;
	struct span ctl = {rest, (size_t)(c2 - rest)};
	out->v2 = ctl.n == 0 && c1 - line.p == 1 && line.p[0] == '0';
	out->systemd = equals(ctl, "name=systemd");
	out->path = (struct span){c2 + 1, (size_t)(end - c2 - 1)};
	return true;
}

bool cgroup_owner_parse(const char *text, size_t len, struct cgroup_owner *o)
{
	memset(o, 0, sizeof(*o));
	/* Ranks: 0 v2, 1 name=systemd, 2 any other controller. */
	struct span lines[3] = {{0}};
	bool have[3] = {false, false, false};
	bool any = false;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span line = {p, (size_t)((nl ? nl : end) - p)};
		p = nl ? nl + 1 : end;
		struct cg_line l;
		if (!parse_line(line, &l))
			continue;
		any = true;
		int rank = l.v2 ? 0 : l.systemd ? 1 : 2;
		if (!have[rank]) {
			have[rank] = true;
			lines[rank] = l.path;
		}
	}
	struct span parts[MAX_PARTS];
	for (int rank = 0; rank < 2 && !o->unit[0]; rank++)
		if (have[rank])
			path_unit(parts, split_path(lines[rank], parts), o->unit);
	for (int rank = 0; rank < 3 && o->runtime == CGROUP_RT_NONE; rank++)
		if (have[rank])
			path_container(parts, split_path(lines[rank], parts), o);
	return any;
}

const char *cgroup_runtime_name(unsigned runtime)
{
	switch (runtime) {
	case CGROUP_RT_DOCKER:
		return "docker";
	case CGROUP_RT_PODMAN:
		return "podman";
	case CGROUP_RT_CONTAINERD:
		return "containerd";
	case CGROUP_RT_CRIO:
		return "cri-o";
	case CGROUP_RT_KUBERNETES:
		return "kubernetes";
	case CGROUP_RT_OTHER:
		return "container";
	default:
		return NULL;
	}
}

void cgroup_owner_short_id(const struct cgroup_owner *o, char *buf)
{
	size_t n = strnlen(o->id, CGROUP_SHORT_ID_LEN);
	memcpy(buf, o->id, n);
	buf[n] = '\0';
}

size_t cgroup_owner_label(const struct cgroup_owner *o, char *buf, size_t len)
{
	if (len == 0)
		return 0;
	int n;
	const char *rt = cgroup_runtime_name(o->runtime);
	if (rt && o->id[0]) {
		char short_id[CGROUP_SHORT_ID_LEN + 1];
		cgroup_owner_short_id(o, short_id);
		n = snprintf(buf, len, "%s:%s", rt, o->name[0] ? o->name : short_id);
	} else {
		n = snprintf(buf, len, "%s", o->unit);
	}
	if (n < 0)
		n = 0;
	return (size_t)n < len ? (size_t)n : len - 1;
}

/* Copies the JSON string starting after its opening quote at p. */
static bool copy_json_string(const char *p, const char *end, char *out, size_t outlen)
{
	size_t n = 0;
	while (p < end && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			if (p >= end)
				return false;
			char e = *p++;
			if (e == 'u') {
				int v = 0;
				for (int i = 0; i < 4; i++) {
					int h = p < end ? parse_hex_digit(*p) : -1;
					if (h < 0)
						return false;
					v = v * 16 + h;
					p++;
				}
				c = v > 0 && v < 0x80 ? (char)v : '?';
			} else {
				c = e == '"' || e == '\\' || e == '/' ? e : '?';
			}
		}
		if (n + 1 < outlen)
			out[n++] = c;
	}
	if (p >= end)
		return false;
	if (outlen)
		out[n] = '\0';
	return true;
}

bool cgroup_json_string(const char *text, size_t len, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q || (size_t)(end - q) < klen + 2)
			return false;
		p = q + 1;
		if (memcmp(p, key, klen) || p[klen] != '"')
			continue;
		const char *v = p + klen + 1;
		while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
			v++;
		if (v >= end || *v != ':')
			continue; /* the key's text appeared as a value */
		v++;
		while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
			v++;
		if (v < end && *v == '[') { /* a list of strings (Podman's "names"): its first */
			v++;
			while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
				v++;
		}
		if (v >= end || *v != '"')
			return false;
		return copy_json_string(v + 1, end, out, outlen);
	}
	return false;
}
