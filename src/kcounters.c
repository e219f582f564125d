#include "kcounters.h"

#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kc_def {
	struct kc_info info;
	const char *file;  /* relative to proc_root: "net/netstat", "sys/net/ipv4/..." */
	const char *field; /* column name within its section ("TcpExt:" or "Tcp:"), or NULL */
	unsigned int word; /* sysctls: which number of the file (0 or 1) */
};

/* The one table: name, where it comes from, and whether it is a counter. */
static const struct kc_def defs[KC_COUNT] = {
    [KC_LISTEN_OVERFLOWS] = {{"listen_overflows", "TcpExt:ListenOverflows", true},
                             "net/netstat",
                             "ListenOverflows",
                             0},
    [KC_LISTEN_DROPS] = {{"listen_drops", "TcpExt:ListenDrops", true},
                         "net/netstat",
                         "ListenDrops",
                         0},
    [KC_SYNCOOKIES_SENT] = {{"syncookies_sent", "TcpExt:SyncookiesSent", true},
                            "net/netstat",
                            "SyncookiesSent",
                            0},
    [KC_SYNCOOKIES_RECV] = {{"syncookies_recv", "TcpExt:SyncookiesRecv", true},
                            "net/netstat",
                            "SyncookiesRecv",
                            0},
    [KC_SYNCOOKIES_FAILED] = {{"syncookies_failed", "TcpExt:SyncookiesFailed", true},
                              "net/netstat",
                              "SyncookiesFailed",
                              0},
    [KC_REQ_Q_FULL_DROP] = {{"req_q_full_drop", "TcpExt:TCPReqQFullDrop", true},
                            "net/netstat",
                            "TCPReqQFullDrop",
                            0},
    [KC_REQ_Q_FULL_COOKIE] = {{"req_q_full_do_cookies", "TcpExt:TCPReqQFullDoCookies", true},
                              "net/netstat",
                              "TCPReqQFullDoCookies",
                              0},
    [KC_TW] = {{"time_wait_finished", "TcpExt:TW", true}, "net/netstat", "TW", 0},
    [KC_TW_RECYCLED] = {{"time_wait_recycled", "TcpExt:TWRecycled", true},
                        "net/netstat",
                        "TWRecycled",
                        0},
    [KC_TW_KILLED] = {{"time_wait_killed", "TcpExt:TWKilled", true}, "net/netstat", "TWKilled", 0},
    [KC_ABORT_ON_MEMORY] = {{"abort_on_memory", "TcpExt:TCPAbortOnMemory", true},
                            "net/netstat",
                            "TCPAbortOnMemory",
                            0},
    [KC_ABORT_ON_TIMEOUT] = {{"abort_on_timeout", "TcpExt:TCPAbortOnTimeout", true},
                             "net/netstat",
                             "TCPAbortOnTimeout",
                             0},
    [KC_ACTIVE_OPENS] = {{"active_opens", "Tcp:ActiveOpens", true}, "net/snmp", "ActiveOpens", 0},
    [KC_PASSIVE_OPENS] = {{"passive_opens", "Tcp:PassiveOpens", true},
                          "net/snmp",
                          "PassiveOpens",
                          0},
    [KC_ATTEMPT_FAILS] = {{"attempt_fails", "Tcp:AttemptFails", true},
                          "net/snmp",
                          "AttemptFails",
                          0},
    [KC_ESTAB_RESETS] = {{"estab_resets", "Tcp:EstabResets", true}, "net/snmp", "EstabResets", 0},
    [KC_CURR_ESTAB] = {{"curr_estab", "Tcp:CurrEstab", false}, "net/snmp", "CurrEstab", 0},
    [KC_RETRANS_SEGS] = {{"retrans_segs", "Tcp:RetransSegs", true}, "net/snmp", "RetransSegs", 0},
    [KC_OUT_RSTS] = {{"out_rsts", "Tcp:OutRsts", true}, "net/snmp", "OutRsts", 0},
    [KC_SOCK_INUSE] = {{"sockets_inuse", "sockstat:TCP inuse", false}, "net/sockstat", "inuse", 0},
    [KC_SOCK_ORPHAN] = {{"orphans", "sockstat:TCP orphan", false}, "net/sockstat", "orphan", 0},
    [KC_SOCK_TW] = {{"time_wait", "sockstat:TCP tw", false}, "net/sockstat", "tw", 0},
    [KC_SYSCTL_SYNCOOKIES] = {{"tcp_syncookies", "net.ipv4.tcp_syncookies", false},
                              "sys/net/ipv4/tcp_syncookies",
                              NULL,
                              0},
    [KC_SYSCTL_MAX_TW_BUCKETS] = {{"tcp_max_tw_buckets", "net.ipv4.tcp_max_tw_buckets", false},
                                  "sys/net/ipv4/tcp_max_tw_buckets",
                                  NULL,
                                  0},
    [KC_SYSCTL_PORT_LOW] = {{"ip_local_port_range_low", "net.ipv4.ip_local_port_range", false},
                            "sys/net/ipv4/ip_local_port_range",
                            NULL,
                            0},
    [KC_SYSCTL_PORT_HIGH] = {{"ip_local_port_range_high", "net.ipv4.ip_local_port_range", false},
                             "sys/net/ipv4/ip_local_port_range",
                             NULL,
                             1},
    [KC_SYSCTL_SOMAXCONN] = {{"somaxconn", "net.core.somaxconn", false},
                             "sys/net/core/somaxconn",
                             NULL,
                             0},
    [KC_SYSCTL_MAX_SYN_BACKLOG] = {{"tcp_max_syn_backlog", "net.ipv4.tcp_max_syn_backlog", false},
                                   "sys/net/ipv4/tcp_max_syn_backlog",
                                   NULL,
                                   0},
    [KC_SYSCTL_FIN_TIMEOUT] = {{"tcp_fin_timeout", "net.ipv4.tcp_fin_timeout", false},
                               "sys/net/ipv4/tcp_fin_timeout",
                               NULL,
                               0},
    [KC_SYSCTL_MAX_ORPHANS] = {{"tcp_max_orphans", "net.ipv4.tcp_max_orphans", false},
                               "sys/net/ipv4/tcp_max_orphans",
                               NULL,
                               0},
    [KC_SYSCTL_TW_REUSE] = {{"tcp_tw_reuse", "net.ipv4.tcp_tw_reuse", false},
                            "sys/net/ipv4/tcp_tw_reuse",
                            NULL,
                            0},
};

const struct kc_info *kcounters_info(enum kc_id id)
{
	return (unsigned)id < KC_COUNT ? &defs[id].info : NULL;
}

void kcounters_init(struct kcounters *kc)
{
	for (int i = 0; i < KC_COUNT; i++)
		kc->v[i] = KC_UNKNOWN;
	kc->valid = false;
}

int64_t kcounters_delta(const struct kcounters *prev, const struct kcounters *cur, enum kc_id id)
{
	int64_t a = kcounters_get(prev, id), b = kcounters_get(cur, id);
	if (a == KC_UNKNOWN || b == KC_UNKNOWN || b < a)
		return KC_UNKNOWN;
	return b - a;
}

/* Reads a non-negative decimal word; advances *p. */
static bool read_number(const char **p, const char *end, int64_t *out)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s < '0' || *s > '9')
		return false;
	int64_t v = 0;
	while (s < end && *s >= '0' && *s <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*s++ - '0');
	}
	*p = s;
	*out = v;
	return true;
}

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

static void store_field(struct kcounters *kc, const char *file, const char *name, size_t len,
                        int64_t value)
{
	for (int i = 0; i < KC_COUNT; i++) {
		const struct kc_def *d = &defs[i];
		if (d->field && !strcmp(d->file, file) && strlen(d->field) == len &&
		    !memcmp(d->field, name, len)) {
			kc->v[i] = value;
			kc->valid = true;
		}
	}
}

/* Header "Sect: A B C" then values "Sect: 1 2 3"; columns are matched by position. */
static void parse_pairs_file(struct kcounters *kc, const char *file, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *h_end = line_end(p, end);
		if (h_end >= end)
			break;
		const char *v = h_end + 1, *v_end = line_end(v, end);
		const char *hc = memchr(p, ':', (size_t)(h_end - p));
		const char *vc = memchr(v, ':', (size_t)(v_end - v));
		if (!hc || !vc || hc - p != vc - v || memcmp(p, v, (size_t)(hc - p))) {
			p = v; /* out of step: resynchronise on the next line */
			continue;
		}
		const char *h = hc + 1, *val = vc + 1;
		for (;;) {
			while (h < h_end && *h == ' ')
				h++;
			if (h >= h_end)
				break;
			const char *name = h;
			while (h < h_end && *h != ' ')
				h++;
			int64_t n;
			bool negative = false;
			while (val < v_end && *val == ' ')
				val++;
			if (val < v_end && *val == '-') { /* Tcp: MaxConn is -1 */
				negative = true;
				val++;
			}
			if (!read_number(&val, v_end, &n))
				break;
			if (!negative)
				store_field(kc, file, name, (size_t)(h - name), n);
		}
		p = v_end < end ? v_end + 1 : end;
	}
}

void kcounters_parse_pairs(struct kcounters *kc, const char *text, size_t len)
{
	/* Both files share the format; their section names differ, so one pass serves both. */
	parse_pairs_file(kc, "net/netstat", text, len);
	parse_pairs_file(kc, "net/snmp", text, len);
}

void kcounters_parse_sockstat(struct kcounters *kc, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *e = line_end(p, end);
		if (e - p > 5 && !memcmp(p, "TCP: ", 5)) {
			const char *s = p + 5;
			while (s < e) {
				while (s < e && *s == ' ')
					s++;
				const char *name = s;
				while (s < e && *s != ' ')
					s++;
				size_t nlen = (size_t)(s - name);
				int64_t n;
				if (!nlen || !read_number(&s, e, &n))
					break;
				store_field(kc, "net/sockstat", name, nlen, n);
			}
		}
		p = e < end ? e + 1 : end;
	}
}

/* Reads a small /proc file whole. Returns bytes read, or -errno. */
static long read_small(const char *root, const char *rel, char *buf, size_t size)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >= sizeof(path))
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	size_t n = fread(buf, 1, size - 1, f);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return -EIO;
	buf[n] = '\0';
	return (long)n;
}

static void read_sysctl(struct kcounters *kc, const char *root, enum kc_id id)
{
	char buf[128];
	if (read_small(root, defs[id].file, buf, sizeof(buf)) <= 0)
		return;
	const char *p = buf, *end = buf + strlen(buf);
	int64_t n = 0;
	for (unsigned int w = 0; w <= defs[id].word; w++)
		if (!read_number(&p, end, &n))
			return;
	kc->v[id] = n;
	kc->valid = true;
}

int kcounters_read(struct kcounters *kc, const char *proc_root, struct cw_error *err)
{
	static const char *const pair_files[] = {"net/netstat", "net/snmp"};
	const char *root = proc_root ? proc_root : "/proc";
	/* /proc/net/netstat is about 4 KiB today; 64 KiB leaves room for new counters. */
	enum { BUF_SIZE = 65536 };
	char *buf = malloc(BUF_SIZE); /* not static: the exporter may read from several threads */
	kcounters_init(kc);
	if (!buf)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	for (size_t i = 0; i < sizeof(pair_files) / sizeof(pair_files[0]); i++) {
		long n = read_small(root, pair_files[i], buf, BUF_SIZE);
		if (n == -EIO) {
			free(buf);
			return cw_error_set(err, -EIO, _("cannot read %s/%s"), root, pair_files[i]);
		}
		if (n > 0)
			parse_pairs_file(kc, pair_files[i], buf, (size_t)n);
	}
	long n = read_small(root, "net/sockstat", buf, BUF_SIZE);
	if (n > 0)
		kcounters_parse_sockstat(kc, buf, (size_t)n);
	free(buf);
	for (int i = 0; i < KC_COUNT; i++)
		if (!defs[i].field)
			read_sysctl(kc, root, (enum kc_id)i);
	return 0;
}
