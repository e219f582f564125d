#include "render_json.h"

#include "netns.h"
#include "procmap.h"
#include "render_table.h"
#include "util/addr.h"

#include <errno.h>
#include <netinet/in.h>

void render_json_conn_fields(struct jsonw *w, const struct conn *c)
{
	char addr[ADDR_ENDPOINT_MAX];
	jsonw_kv_string(w, "proto", conn_proto_name(c));
	jsonw_kv_string(w, "family", c->family == AF_INET6 ? "ipv6" : "ipv4");
	conn_format_address(addr, c, false);
	jsonw_kv_string(w, "local_address", addr);
	jsonw_kv_uint(w, "local_port", c->local_port);
	conn_format_address(addr, c, true);
	jsonw_kv_string(w, "remote_address", addr);
	jsonw_kv_uint(w, "remote_port", c->remote_port);
	jsonw_kv_string(w, "state", conn_state_text(c));
	jsonw_kv_uint(w, "recv_q", c->recv_q);
	jsonw_kv_uint(w, "send_q", c->send_q);
	/* Saved netstat/ss text carries no owner: unknown is null, never a made-up number. */
	jsonw_key(w, "uid");
	if (c->uid == CONN_UNKNOWN_U32)
		jsonw_null(w);
	else
		jsonw_uint(w, c->uid);
	jsonw_kv_uint(w, "inode", c->inode);
}

void render_json_conn(struct jsonw *w, const struct conn *c)
{
	jsonw_object_begin(w);
	render_json_conn_fields(w, c);
	jsonw_object_end(w);
}

static void owner_fields(struct jsonw *w, const struct conn *c, const struct procmap *owners);

void render_json_conn_owner(struct jsonw *w, const struct conn *c, const struct procmap *owners)
{
	jsonw_object_begin(w);
	render_json_conn_fields(w, c);
	owner_fields(w, c, owners);
	jsonw_object_end(w);
}

static void owner_fields(struct jsonw *w, const struct conn *c, const struct procmap *owners)
{
	const struct procmap_owner *o = procmap_owner_of(owners, c->inode);
	jsonw_key(w, "pid");
	if (o)
		jsonw_int(w, o->pid);
	else
		jsonw_null(w);
	jsonw_key(w, "process");
	if (o)
		jsonw_string(w, o->name);
	else
		jsonw_null(w);
	render_json_cgroup(w, o ? &o->cgroup : NULL);
}

static void string_or_null(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	if (s && s[0])
		jsonw_string(w, s);
	else
		jsonw_null(w);
}

void render_json_cgroup(struct jsonw *w, const struct cgroup_owner *cg)
{
	string_or_null(w, "unit", cg ? cg->unit : NULL);
	jsonw_key(w, "container");
	const char *runtime = cg ? cgroup_runtime_name(cg->runtime) : NULL;
	if (!runtime) {
		jsonw_null(w);
		return;
	}
	char short_id[CGROUP_SHORT_ID_LEN + 1];
	cgroup_owner_short_id(cg, short_id);
	jsonw_object_begin(w);
	jsonw_kv_string(w, "runtime", runtime);
	jsonw_kv_string(w, "id", cg->id);
	jsonw_kv_string(w, "short_id", short_id);
	string_or_null(w, "name", cg->name);
	string_or_null(w, "pod_uid", cg->pod);
	jsonw_object_end(w);
}

int render_json_list(FILE *out, const struct snapshot *snap)
{
	return render_json_list_owners(out, snap, NULL);
}

int render_json_list_owners(FILE *out, const struct snapshot *snap, const struct procmap *owners)
{
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "version", CW_JSON_VERSION);
	jsonw_key(&w, "connections");
	jsonw_array_begin(&w);
	for (size_t i = 0; i < snap->count; i++) {
		fputc('\n', out);
		const struct conn *c = &snap->conns[i];
		jsonw_object_begin(&w);
		render_json_conn_fields(&w, c);
		if (owners)
			owner_fields(&w, c, owners);
		if (snap->netns)
			jsonw_kv_string(&w, "netns", netns_label(snap->netns, c->netns));
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
