#include "container_names.h"

#include "util/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A /proc/PID/cgroup of a v1 host is a dozen lines of paths; 8 KiB holds the deepest we know. */
#define CGROUP_TEXT_MAX 8192
/* Runtime config files: Docker's config.v2.json is a few KiB, an OCI spec tens of KiB, and
 * Podman's containers.json grows with the containers (the lookup is bounded by this). */
#define CONFIG_TEXT_MAX (1024 * 1024)

void container_names_init(struct container_names *cn, const char *root)
{
	memset(cn, 0, sizeof(*cn));
	cn->root = root ? root : "";
}

void container_names_free(struct container_names *cn)
{
	free(cn->entries);
	memset(cn, 0, sizeof(*cn));
}

/* O_NOFOLLOW: a runtime's file is never a link, and a link there is not ours to follow. */
static ssize_t read_text(int dirfd, const char *path, char *buf, size_t cap)
{
	return read_file_bounded(dirfd, path, O_NOFOLLOW | O_NONBLOCK, buf, cap);
}

static char *read_config(const struct container_names *cn, const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", cn->root, rel);
	char *buf = malloc(CONFIG_TEXT_MAX);
	if (!buf)
		return NULL;
	ssize_t n = read_text(AT_FDCWD, path, buf, CONFIG_TEXT_MAX);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* "POD/CONTAINER" from two annotations of an OCI spec, or the one that is there. */
static bool pod_and_container(const char *text, size_t len, const char *pod_key,
                              const char *ctr_key, char *out, size_t outlen)
{
	/* Halves, so that "POD/CONTAINER" always fits a name. */
	char pod[CGROUP_NAME_MAX / 2], ctr[CGROUP_NAME_MAX / 2];
	bool have_pod = cgroup_json_string(text, len, pod_key, pod, sizeof(pod));
	bool have_ctr = cgroup_json_string(text, len, ctr_key, ctr, sizeof(ctr));
	if (have_pod && have_ctr)
		snprintf(out, outlen, "%s/%s", pod, ctr);
	else if (have_pod || have_ctr)
		snprintf(out, outlen, "%s", have_ctr ? ctr : pod);
	return have_pod || have_ctr;
}

static bool docker_name(const struct container_names *cn, const char *id, char *out, size_t n)
{
	char rel[160];
	size_t len;
	snprintf(rel, sizeof(rel), "var/lib/docker/containers/%s/config.v2.json", id);
	char *text = read_config(cn, rel, &len);
	char name[CGROUP_NAME_MAX];
	bool ok = text && cgroup_json_string(text, len, "Name", name, sizeof(name)) && name[0];
	if (ok) /* Docker keeps names with a leading '/' (the link namespace); ps shows none */
		snprintf(out, n, "%s", name + (name[0] == '/'));
	free(text);
	return ok;
}

static bool containerd_name(const struct container_names *cn, const char *id, char *out, size_t n)
{
	static const char *const namespaces[] = {"k8s.io", "default", "moby"};
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		char rel[200];
		size_t len;
		snprintf(rel, sizeof(rel),
		         "run/containerd/io.containerd.runtime.v2.task/%s/%s/config.json",
		         namespaces[i], id);
		char *text = read_config(cn, rel, &len);
		if (!text)
			continue;
		bool ok = pod_and_container(text, len, "io.kubernetes.cri.sandbox-name",
		                            "io.kubernetes.cri.container-name", out, n) ||
		          cgroup_json_string(text, len, "nerdctl/name", out, n);
		free(text);
		if (ok)
			return true;
	}
	return false;
}

static bool crio_name(const struct container_names *cn, const char *id, char *out, size_t n)
{
	char rel[200];
	size_t len;
	snprintf(rel, sizeof(rel),
	         "run/containers/storage/overlay-containers/%s/userdata/config.json", id);
	char *text = read_config(cn, rel, &len);
	bool ok = text && pod_and_container(text, len, "io.kubernetes.pod.name",
	                                    "io.kubernetes.container.name", out, n);
	free(text);
	return ok;
}

static bool podman_name(const struct container_names *cn, const char *id, char *out, size_t n)
{
	size_t len;
	char *text =
	    read_config(cn, "var/lib/containers/storage/overlay-containers/containers.json", &len);
	if (!text)
		return false;
	/* The entry is an object {"id":"ID","names":["NAME"],...}; its "names" follow its id. */
	char quoted[CGROUP_ID_LEN + 3];
	snprintf(quoted, sizeof(quoted), "\"%s\"", id);
	const char *at = strstr(text, quoted);
	bool ok = false;
	if (at) {
		const char *end = memchr(at, '}', len - (size_t)(at - text));
		size_t span = end ? (size_t)(end - at) : len - (size_t)(at - text);
		ok = cgroup_json_string(at, span, "names", out, n);
	}
	free(text);
	return ok;
}

static bool is_node_entry(const char *addr, size_t len)
{
	static const char *const fixed[] = {"127.0.0.1", "::1", "fe00::0", "fe00::1", "fe00::2"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strlen(fixed[i]) == len && !memcmp(addr, fixed[i], len))
			return true;
	return false;
}

/* The pod's name when no runtime file said it: the kubelet writes each pod's hosts file with the
 * pod's own line after the fixed localhost entries, "IP NAME" (or "IP FQDN HOSTNAME" when the
 * spec sets a hostname), and HostAliases only after a comment. A host-network pod's file is the
 * node's: it names no pod. */
static bool kubelet_pod_name(const struct container_names *cn, const char *uid, char *out, size_t n)
{
	if (!uid[0] || strspn(uid, "0123456789abcdef-") != strlen(uid))
		return false; /* a path component, never a path */
	char rel[120];
	size_t len;
	snprintf(rel, sizeof(rel), "var/lib/kubelet/pods/%s/etc-hosts", uid);
	char *text = read_config(cn, rel, &len);
	if (!text)
		return false;
	bool ok = false;
	char *save_line = NULL;
	char *line = strstr(text, "(host network)") ? NULL : strtok_r(text, "\n", &save_line);
	for (; line && !ok; line = strtok_r(NULL, "\n", &save_line)) {
		if (line[0] == '#') {
			if (strstr(line, "HostAliases"))
				break;
			continue;
		}
		char *save_field = NULL;
		const char *addr = strtok_r(line, " \t", &save_field), *last = NULL;
		if (!addr || is_node_entry(addr, strlen(addr)))
			continue;
		for (const char *f; (f = strtok_r(NULL, " \t", &save_field));)
			last = f;
		if (last) {
			snprintf(out, n, "%s", last);
			ok = true;
		}
	}
	free(text);
	return ok;
}

void container_names_lookup(struct container_names *cn, struct cgroup_owner *o)
{
	if (!o->id[0])
		return;
	for (size_t i = 0; i < cn->count; i++)
		if (!strcmp(cn->entries[i].id, o->id)) {
			memcpy(o->name, cn->entries[i].name, sizeof(o->name));
			return;
		}
	char name[CGROUP_NAME_MAX] = "";
	switch (o->runtime) {
	case CGROUP_RT_DOCKER:
		docker_name(cn, o->id, name, sizeof(name));
		break;
	case CGROUP_RT_PODMAN:
		podman_name(cn, o->id, name, sizeof(name));
		break;
	case CGROUP_RT_CONTAINERD:
		containerd_name(cn, o->id, name, sizeof(name));
		break;
	case CGROUP_RT_CRIO:
		crio_name(cn, o->id, name, sizeof(name));
		break;
	case CGROUP_RT_KUBERNETES:
		if (!containerd_name(cn, o->id, name, sizeof(name)))
			crio_name(cn, o->id, name, sizeof(name));
		break;
	default:
		break;
	}
	if (!name[0] && o->pod[0])
		kubelet_pod_name(cn, o->pod, name, sizeof(name));
	memcpy(o->name, name, sizeof(o->name));
	if (cn->count == cn->capacity) {
		size_t cap = cn->capacity ? cn->capacity * 2 : 16;
		struct container_name_entry *e = realloc(cn->entries, cap * sizeof(*e));
		if (!e)
			return; /* no cache: the next lookup reads the file again */
		cn->entries = e;
		cn->capacity = cap;
	}
	struct container_name_entry *e = &cn->entries[cn->count++];
	memcpy(e->id, o->id, sizeof(e->id));
	memcpy(e->name, name, sizeof(e->name));
}

bool container_names_read(struct container_names *cn, int procfd, const char *pid,
                          struct cgroup_owner *o)
{
	char path[48], text[CGROUP_TEXT_MAX];
	snprintf(path, sizeof(path), "%s/cgroup", pid);
	ssize_t n = read_text(procfd, path, text, sizeof(text));
	if (n <= 0 || !cgroup_owner_parse(text, (size_t)n, o)) {
		memset(o, 0, sizeof(*o));
		return false;
	}
	container_names_lookup(cn, o);
	return true;
}
