/* The I/O half of cgroup_owner: reads a process's /proc/PID/cgroup and, for a container, its
 * name from the runtime's own files, without asking its daemon (which may hang, or need a
 * socket we must not open):
 *   docker      ROOT/var/lib/docker/containers/ID/config.v2.json        "Name" ("/web")
 *   containerd  ROOT/run/containerd/io.containerd.runtime.v2.task/NS/ID/config.json (OCI spec):
 *               annotations io.kubernetes.cri.sandbox-name and .container-name ("pod/ctr"),
 *               or nerdctl/name (NS is k8s.io, default or moby)
 *   cri-o       ROOT/run/containers/storage/overlay-containers/ID/userdata/config.json:
 *               io.kubernetes.pod.name and io.kubernetes.container.name
 *   podman      ROOT/var/lib/containers/storage/overlay-containers/containers.json: the entry
 *               with "id": ID, its first of "names"
 *   kubernetes  (cgroupfs, runtime unknown) tried as containerd, then cri-o
 *   any pod     when none of the above named it: ROOT/var/lib/kubelet/pods/UID/etc-hosts, the
 *               kubelet's hosts file of the pod, whose own line ends with the pod's host name
 *               (its name unless the spec sets a hostname); not for host-network pods
 * Unreadable or absent files leave the name empty: the short id is shown instead. Names are
 * cached per id, so a container's file is read once however many of its processes own sockets. */
#ifndef CW_CONTAINER_NAMES_H
#define CW_CONTAINER_NAMES_H

#include "cgroup_owner.h"

#include <stdbool.h>
#include <stddef.h>

struct container_name_entry {
	char id[CGROUP_ID_LEN + 1];
	char name[CGROUP_NAME_MAX];
};

struct container_names {
	const char *root; /* borrowed: the directory the runtimes' paths are below; "" = "/" */
	struct container_name_entry *entries; /* owned */
	size_t count, capacity;
};

/* root as above (NULL = ""). Free with container_names_free(). */
void container_names_init(struct container_names *cn, const char *root);
void container_names_free(struct container_names *cn);

/* Reads PID/cgroup below the open /proc directory procfd into o and fills o->name when a
 * container's name can be read. Returns false when the cgroup file cannot be read (the
 * process is gone, or the kernel has no cgroups): o is then empty. Not thread-safe (the cache):
 * callers serialise. */
bool container_names_read(struct container_names *cn, int procfd, const char *pid,
                          struct cgroup_owner *o);

/* Fills o->name for o's container from the cache or the runtime's files. */
void container_names_lookup(struct container_names *cn, struct cgroup_owner *o);

#endif
