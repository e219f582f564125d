#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup_owner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCKER_ID  "3f4e1a7b9c2d8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0"
#define PODMAN_ID  "cf21d19260ace8544fe8b769fc2638bf2c0873dfbfff0b6253f0569b26a1d5eb"
#define K8S_ID     "a09bc17f5aa29b0dbdec9ede5f46cf1396d2405917ab02e6f1eb1019f388396e"
#define CRIO_ID    "5eed917563583925ffdbd40a64efb2aaffe58638e57add8becaf460fe74f5b1c"
#define POD_DASHED "72215515-071e-11e8-ba9d-020b8dab3f02"

/* What each fixture in tests/fixtures/cgroup must give (README.md there says where each format
 * comes from). */
static const struct expect {
	const char *file, *unit;
	unsigned runtime;
	const char *id, *pod, *label;
} expected[] = {
    {"systemd-service-v2.txt", "nginx.service", CGROUP_RT_NONE, "", "", "nginx.service"},
    {"systemd-service-hybrid.txt", "php8.2-fpm.service", CGROUP_RT_NONE, "", "",
     "php8.2-fpm.service"},
    {"systemd-service-legacy-v1.txt", "ssh.service", CGROUP_RT_NONE, "", "", "ssh.service"},
    {"systemd-user-unit.txt", "user@1000.service/vte-spawn-5f1c.scope", CGROUP_RT_NONE, "", "",
     "user@1000.service/vte-spawn-5f1c.scope"},
    {"systemd-session.txt", "session-3.scope", CGROUP_RT_NONE, "", "", "session-3.scope"},
    {"systemd-init.txt", "init.scope", CGROUP_RT_NONE, "", "", "init.scope"},
    {"host-root.txt", "", CGROUP_RT_NONE, "", "", ""},
    {"docker-systemd-v2.txt", "docker-" DOCKER_ID ".scope", CGROUP_RT_DOCKER, DOCKER_ID, "",
     "docker:3f4e1a7b9c2d"},
    {"docker-cgroupfs-v1.txt", "", CGROUP_RT_DOCKER, DOCKER_ID, "", "docker:3f4e1a7b9c2d"},
    {"docker-cgroupfs-v2.txt", "", CGROUP_RT_DOCKER, DOCKER_ID, "", "docker:3f4e1a7b9c2d"},
    {"podman-root-v2.txt", "libpod-" PODMAN_ID ".scope", CGROUP_RT_PODMAN, PODMAN_ID, "",
     "podman:cf21d19260ac"},
    {"podman-rootless-v2.txt", "user@1000.service/libpod-" PODMAN_ID ".scope", CGROUP_RT_PODMAN,
     PODMAN_ID, "", "podman:cf21d19260ac"},
    {"podman-conmon.txt", "libpod-conmon-" PODMAN_ID ".scope", CGROUP_RT_NONE, "", "",
     "libpod-conmon-" PODMAN_ID ".scope"},
    {"podman-v1.txt", "libpod-" PODMAN_ID ".scope", CGROUP_RT_PODMAN, PODMAN_ID, "",
     "podman:cf21d19260ac"},
    {"k8s-containerd-systemd-v2.txt", "cri-containerd-" K8S_ID ".scope", CGROUP_RT_CONTAINERD,
     K8S_ID, "1e597579-417e-482f-bf65-5fe170c3aebd", "containerd:a09bc17f5aa2"},
    {"k8s-containerd-colon-v1.txt", "", CGROUP_RT_CONTAINERD, K8S_ID,
     "0125ec2f-b64a-4868-8f5b-94b56cbab864", "containerd:a09bc17f5aa2"},
    {"k8s-crio-systemd-v1.txt", "crio-" CRIO_ID ".scope", CGROUP_RT_CRIO, CRIO_ID,
     "a5c1f8d5-1919-434d-add7-4afaafdaef89", "cri-o:5eed91756358"},
    {"k8s-cgroupfs-v1.txt", "", CGROUP_RT_KUBERNETES, K8S_ID, POD_DASHED,
     "kubernetes:a09bc17f5aa2"},
    {"k8s-cgroupfs-guaranteed-v2.txt", "", CGROUP_RT_KUBERNETES, K8S_ID, POD_DASHED,
     "kubernetes:a09bc17f5aa2"},
    {"containerd-nerdctl-cgroupfs.txt", "", CGROUP_RT_CONTAINERD, K8S_ID, "",
     "containerd:a09bc17f5aa2"},
    {"containerd-nerdctl-systemd.txt", "nerdctl-" K8S_ID ".scope", CGROUP_RT_CONTAINERD, K8S_ID, "",
     "containerd:a09bc17f5aa2"},
};

static char *slurp(const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char path[512];
	snprintf(path, sizeof(path), "%s/cgroup/%s", dir ? dir : "tests/fixtures", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = malloc(8192);
	assert_non_null(buf);
	*len = fread(buf, 1, 8192, f);
	fclose(f);
	return buf;
}

static void fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct expect *e = &expected[i];
		size_t len;
		char *text = slurp(e->file, &len);
		struct cgroup_owner o;
		if (!cgroup_owner_parse(text, len, &o))
			fail_msg("%s: not parsed", e->file);
		char label[256];
		cgroup_owner_label(&o, label, sizeof(label));
		if (strcmp(o.unit, e->unit) || o.runtime != e->runtime || strcmp(o.id, e->id) ||
		    strcmp(o.pod, e->pod) || strcmp(label, e->label))
			fail_msg("%s: unit '%s' runtime %u id '%s' pod '%s' label '%s'", e->file,
			         o.unit, o.runtime, o.id, o.pod, label);
		free(text);
	}
}

static void malformed(void **state)
{
	(void)state;
	size_t len;
	char *text = slurp("malformed.txt", &len);
	struct cgroup_owner o;
	assert_false(cgroup_owner_parse(text, len, &o));
	assert_string_equal(o.unit, "");
	assert_int_equal(o.runtime, CGROUP_RT_NONE);
	free(text);
	assert_false(cgroup_owner_parse("", 0, &o));
	/* The length bounds the read: the unit after it is not seen. */
	const char *cut = "0::/system.slice/a.service";
	assert_true(cgroup_owner_parse(cut, 4, &o));
	assert_string_equal(o.unit, "");
	/* Ids that are not 64 lower-case hex digits are no container. */
	const char *near[] = {
	    "0::/system.slice/docker-3f4e1a7b.scope\n",
	    "0::/system.slice/docker-" DOCKER_ID "0.scope\n",
	    "0::/docker/3F4E1A7B9C2D8E6F0A1B2C3D4E5F60718293A4B5C6D7E8F9012345678ABCDEF0\n",
	    "0::/" DOCKER_ID "\n", /* no parent to tell the runtime: the root is no container */
	};
	for (size_t i = 0; i < sizeof(near) / sizeof(near[0]); i++) {
		assert_true(cgroup_owner_parse(near[i], strlen(near[i]), &o));
		if (o.runtime != CGROUP_RT_NONE)
			fail_msg("container in '%s'", near[i]);
	}
	/* A unit name longer than the field is dropped, not cut. */
	char longer[600] = "0::/system.slice/";
	memset(longer + strlen(longer), 'x', 300);
	strcpy(longer + strlen(longer), ".service\n");
	assert_true(cgroup_owner_parse(longer, strlen(longer), &o));
	assert_string_equal(o.unit, "");
	/* Deep paths stop at the component limit without reading past the text. */
	char deep[4096] = "0::";
	for (int i = 0; i < 200; i++)
		strcat(deep, "/a.slice");
	assert_true(cgroup_owner_parse(deep, strlen(deep), &o));
}

static void unit_line_choice(void **state)
{
	(void)state;
	struct cgroup_owner o;
	/* On a hybrid host the v2 line may say "/" while name=systemd has the unit. */
	const char *hybrid = "1:name=systemd:/system.slice/cron.service\n0::/\n";
	assert_true(cgroup_owner_parse(hybrid, strlen(hybrid), &o));
	assert_string_equal(o.unit, "cron.service");
	/* The v2 line wins when both name a unit. */
	const char *both = "1:name=systemd:/system.slice/a.service\n0::/system.slice/b.service\n";
	assert_true(cgroup_owner_parse(both, strlen(both), &o));
	assert_string_equal(o.unit, "b.service");
	/* Another controller's path never gives the unit (only systemd's hierarchies do). */
	const char *mem = "4:memory:/system.slice/x.service\n0::/\n";
	assert_true(cgroup_owner_parse(mem, strlen(mem), &o));
	assert_string_equal(o.unit, "");
}

static void labels(void **state)
{
	(void)state;
	struct cgroup_owner o;
	const char *t = "0::/system.slice/docker-" DOCKER_ID ".scope\n";
	assert_true(cgroup_owner_parse(t, strlen(t), &o));
	strcpy(o.name, "web");
	char buf[64];
	assert_int_equal(cgroup_owner_label(&o, buf, sizeof(buf)), strlen("docker:web"));
	assert_string_equal(buf, "docker:web");
	assert_int_equal(cgroup_owner_label(&o, buf, 5), 4);
	assert_string_equal(buf, "dock");
	char short_id[CGROUP_SHORT_ID_LEN + 1];
	cgroup_owner_short_id(&o, short_id);
	assert_string_equal(short_id, "3f4e1a7b9c2d");
	assert_string_equal(cgroup_runtime_name(CGROUP_RT_CRIO), "cri-o");
	assert_null(cgroup_runtime_name(CGROUP_RT_NONE));
}

static void json_strings(void **state)
{
	(void)state;
	char out[32];
	const char *doc = "{\"ID\":\"abc\",\"Name\" : \"/web\\u0041\\\"x\",\"n\":5}";
	assert_true(cgroup_json_string(doc, strlen(doc), "Name", out, sizeof(out)));
	assert_string_equal(out, "/webA\"x");
	assert_false(cgroup_json_string(doc, strlen(doc), "n", out, sizeof(out)));
	assert_false(cgroup_json_string(doc, strlen(doc), "Missing", out, sizeof(out)));
	/* The key's text as a value is not the key. */
	const char *val = "{\"a\":\"Name\",\"Name\":\"real\"}";
	assert_true(cgroup_json_string(val, strlen(val), "Name", out, sizeof(out)));
	assert_string_equal(out, "real");
	/* Cut values are cut, unterminated ones refused, \u beyond ASCII is '?'. */
	const char *longv = "{\"k\":\"0123456789012345678901234567890123456789\"}";
	assert_true(cgroup_json_string(longv, strlen(longv), "k", out, 8));
	assert_string_equal(out, "0123456");
	const char *open = "{\"k\":\"abc";
	assert_false(cgroup_json_string(open, strlen(open), "k", out, sizeof(out)));
	const char *uni = "{\"k\":\"\\u00e9\\n\"}";
	assert_true(cgroup_json_string(uni, strlen(uni), "k", out, sizeof(out)));
	assert_string_equal(out, "??");
	const char *bad = "{\"k\":\"\\u00g9\"}";
	assert_false(cgroup_json_string(bad, strlen(bad), "k", out, sizeof(out)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fixtures),         cmocka_unit_test(malformed),
	    cmocka_unit_test(unit_line_choice), cmocka_unit_test(labels),
	    cmocka_unit_test(json_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
