/* Container names from each runtime's own files, below a made-up root: Docker's config.v2.json,
 * containerd's OCI spec (CRI annotations, nerdctl's name), CRI-O's config, Podman's
 * containers.json, and, when none says it, the kubelet's hosts file of the pod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ID_A "1111111111111111111111111111111111111111111111111111111111111111"
#define ID_B "2222222222222222222222222222222222222222222222222222222222222222"
#define POD  "0b4e7a5c-9f3d-4e2a-8c1b-7d6e5f4a3b2c"

static char root[64];

/* Writes ROOT/REL, making its directories. */
static void put(const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/cw-names-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* The name lookup for one parsed owner (id, runtime and pod as cgroup_owner_parse sets them). */
static void name_of(const char *id, enum cgroup_runtime rt, const char *pod, char *out)
{
	struct container_names cn;
	container_names_init(&cn, root);
	struct cgroup_owner o;
	memset(&o, 0, sizeof(o));
	snprintf(o.id, sizeof(o.id), "%s", id);
	snprintf(o.pod, sizeof(o.pod), "%s", pod);
	o.runtime = rt;
	container_names_lookup(&cn, &o);
	strcpy(out, o.name);
	container_names_free(&cn);
}

static void each_runtime(void **state)
{
	(void)state;
	char name[CGROUP_NAME_MAX];
	put("var/lib/docker/containers/" ID_A "/config.v2.json",
	    "{\"ID\":\"" ID_A "\",\"Name\":\"/web\",\"State\":{}}");
	name_of(ID_A, CGROUP_RT_DOCKER, "", name);
	assert_string_equal(name, "web");

	put("run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID_A "/config.json",
	    "{\"annotations\":{\"io.kubernetes.cri.container-name\":\"nginx\","
	    "\"io.kubernetes.cri.sandbox-name\":\"web-7d4b9c-xk2p9\"}}");
	name_of(ID_A, CGROUP_RT_CONTAINERD, POD, name);
	assert_string_equal(name, "web-7d4b9c-xk2p9/nginx");
	name_of(ID_A, CGROUP_RT_KUBERNETES, POD, name); /* cgroupfs: tried as containerd first */
	assert_string_equal(name, "web-7d4b9c-xk2p9/nginx");

	put("run/containers/storage/overlay-containers/" ID_B "/userdata/config.json",
	    "{\"annotations\":{\"io.kubernetes.pod.name\":\"db-0\","
	    "\"io.kubernetes.container.name\":\"postgres\"}}");
	name_of(ID_B, CGROUP_RT_CRIO, POD, name);
	assert_string_equal(name, "db-0/postgres");

	put("var/lib/containers/storage/overlay-containers/containers.json",
	    "[{\"id\":\"" ID_A "\",\"names\":[\"cache\"]},{\"id\":\"" ID_B
	    "\",\"names\":[\"queue\"]}]");
	name_of(ID_B, CGROUP_RT_PODMAN, "", name);
	assert_string_equal(name, "queue");
}

/* No runtime file names the container: the kubelet's hosts file of its pod names the pod. */
static void kubelet_hosts_file(void **state)
{
	(void)state;
	char name[CGROUP_NAME_MAX];
	const char *id = "3333333333333333333333333333333333333333333333333333333333333333";
	name_of(id, CGROUP_RT_KUBERNETES, POD, name);
	assert_string_equal(name, ""); /* nothing to read yet */
	put("var/lib/kubelet/pods/" POD "/etc-hosts",
	    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
	    "fe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
	    "10.244.1.7\tapi-5f6d8-qz7rt\n\n# Entries added by HostAliases.\n"
	    "10.0.0.9\tfoo.local\tbar.local\n");
	name_of(id, CGROUP_RT_KUBERNETES, POD, name);
	assert_string_equal(name, "api-5f6d8-qz7rt");
	/* a hostname and subdomain in the spec: "IP FQDN HOSTNAME", the short name last */
	put("var/lib/kubelet/pods/" POD "/etc-hosts",
	    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
	    "10.244.1.8\tweb-0.web.shop.svc.cluster.local\tweb-0\n");
	name_of(id, CGROUP_RT_CONTAINERD, POD, name);
	assert_string_equal(name, "web-0");
	/* a host-network pod's file is the node's own: no pod name in it */
	put("var/lib/kubelet/pods/" POD "/etc-hosts",
	    "# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n"
	    "192.168.1.5\tnode-1\n");
	name_of(id, CGROUP_RT_KUBERNETES, POD, name);
	assert_string_equal(name, "");
	/* a uid that is not one is never made into a path */
	name_of(id, CGROUP_RT_KUBERNETES, "../../../etc", name);
	assert_string_equal(name, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_runtime),
	    cmocka_unit_test(kubelet_hosts_file),
	};
	return cmocka_run_group_tests(tests, make_root, remove_root);
}
