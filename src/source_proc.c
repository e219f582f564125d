/* The /proc/net text source: what netstat reads. Used when netlink is refused and for captures
 * from another machine (--proc-root DIR, where DIR/net/tcp ... are the files). */
#include "source.h"
#include "source_proc.h"

#include "i18n.h"
#include "util/lineread.h"
#include "util/parse.h"

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* An address is one run of 8 (IPv4) or 32 (IPv6) hex digits. The kernel prints each 32-bit word
 * as a host-order number (%08X), so copying each parsed word back in host order restores the
 * original bytes. The run is read in 8-digit windows because parse_hex refuses longer runs. */
static bool parse_address_port(const char **p, const char *end, int family, uint8_t addr[16],
                               uint16_t *port)
{
	int words = family == AF_INET ? 1 : 4;
	if (end - *p < 8 * words)
		return false;
	for (int i = 0; i < words; i++) {
		const char *w = *p + 8 * i, *wend = w + 8;
		uint64_t v;
		if (!parse_hex(&w, wend, 8, 8, &v))
			return false;
		uint32_t w32 = (uint32_t)v;
		memcpy(addr + 4 * i, &w32, 4);
	}
	*p += 8 * words;
	uint64_t v;
	if (!parse_char(p, end, ':') || !parse_hex(p, end, 4, 4, &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

const char *proc_parse_line(const char *line, size_t len, int family, int proto, long ticks_per_sec,
                            struct conn *c)
{
	const char *p = line, *end = line + len;
	uint64_t v, v2;
	memset(c, 0, sizeof(*c));
	c->family = (uint8_t)family;
	c->proto = (uint8_t)proto;
	c->idle_ms = CONN_UNKNOWN_U32;

	parse_blanks(&p, end);
	if (!parse_dec(&p, end, &v) || !parse_char(&p, end, ':'))
		return N_("slot");
	parse_blanks(&p, end);
	if (!parse_address_port(&p, end, family, c->local_addr, &c->local_port))
		return N_("local address");
	if (!parse_blanks(&p, end) ||
	    !parse_address_port(&p, end, family, c->remote_addr, &c->remote_port))
		return N_("remote address");
	if (!parse_blanks(&p, end) || !parse_hex(&p, end, 2, 2, &v) || v == 0 || v >= TCP_ST_MAX)
		return N_("state");
	c->state = (uint8_t)v;
	if (!parse_blanks(&p, end) || !parse_hex(&p, end, 8, 8, &v) || !parse_char(&p, end, ':') ||
	    !parse_hex(&p, end, 8, 8, &v2))
		return N_("queues");
	c->send_q = (uint32_t)v;
	c->recv_q = (uint32_t)v2;
	if (!parse_blanks(&p, end) || !parse_hex(&p, end, 2, 2, &v) || !parse_char(&p, end, ':') ||
	    !parse_hex(&p, end, 8, 16, &v2))
		return N_("timer");
	c->timer = (uint8_t)(v > 7 ? 7 : v); /* the kernel writes 0..4; the field holds 3 bits */
	/* The time left is kept for the TIME_WAIT timer only (in idle_ms: such a socket has no
	 * tcp_info), from which the live view dates it. */
	if (c->timer == 3 && ticks_per_sec > 0) {
		uint64_t left = v2 / (uint64_t)ticks_per_sec * 1000 +
		                v2 % (uint64_t)ticks_per_sec * 1000 / (uint64_t)ticks_per_sec;
		c->idle_ms = left > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)left;
	}
	if (!parse_blanks(&p, end) || !parse_hex(&p, end, 8, 8, &v))
		return N_("retransmits");
	c->retrans = v > UINT8_MAX ? UINT8_MAX : (uint8_t)v;
	if (!parse_blanks(&p, end) || !parse_dec(&p, end, &v) || v > UINT32_MAX)
		return N_("uid");
	c->uid = (uint32_t)v;
	if (!parse_blanks(&p, end) || !parse_dec(&p, end, &v))
		return N_("timeout");
	if (!parse_blanks(&p, end) || !parse_dec(&p, end, &v) || v > UINT32_MAX)
		return N_("inode");
	c->inode = (uint32_t)v;
	if (p != end && *p != ' ' && *p != '\t')
		return N_("inode");
	/* The rest (refcount, pointer, congestion fields) differs between kernels: not read. */
	if (proto == CONN_TCP && c->state == TCP_ST_LISTEN)
		c->send_q = 0;
	return NULL;
}

struct proc_file {
	const char *name;
	int family;
	int proto;
};

static const struct proc_file proc_files[] = {
    {"tcp", AF_INET, CONN_TCP},
    {"tcp6", AF_INET6, CONN_TCP},
    {"udp", AF_INET, CONN_UDP},
    {"udp6", AF_INET6, CONN_UDP},
};

static bool wanted(const struct source_request *r, const struct proc_file *f)
{
	if ((f->family == AF_INET && !r->ipv4) || (f->family == AF_INET6 && !r->ipv6))
		return false;
	return f->proto == CONN_TCP ? r->tcp_states != 0 : r->udp;
}

/* Reads one table. A file that is not there is no error here (no IPv6 on the host, or not in the
 * capture): the caller checks that at least one table exists. */
static int read_file(const char *path, const struct proc_file *f, const struct source_request *r,
                     long ticks, struct snapshot *snap, struct cw_error *err)
{
	FILE *in = fopen(path, "re");
	if (!in) {
		if (errno == ENOENT)
			return 0;
		return cw_error_set(err, -errno, _("cannot open %s: %s"), path, strerror(errno));
	}
	char iobuf[65536];
	setvbuf(in, iobuf, _IOFBF, sizeof(iobuf));
	char line[PROC_LINE_MAX];
	size_t len;
	enum line_read_result got;
	unsigned long lineno = 0;
	int ret = 0;
	while ((got = line_read(in, line, sizeof(line), &len)) != LINE_READ_EOF) {
		lineno++;
		/* a million lines take a second: a cancel is looked at every thousand */
		if (lineno % 1024 == 0 && (ret = source_check_cancel(r->cancel, err)) < 0)
			break;
		if (got == LINE_READ_RUNAWAY) {
			ret = cw_error_set(
			    err, -EFBIG, _("%s:%lu: no line end within %u MiB: not a socket table"),
			    path, lineno, LINE_RUNAWAY_MAX >> 20);
			break;
		}
		if (lineno == 1 && got == LINE_READ_OK && memmem(line, len, "local_address", 13))
			continue;
		if (len == 0)
			continue;
		const char *bad = NULL;
		struct conn c;
		if (got == LINE_READ_LONG)
			bad = N_("length");
		else if (memchr(line, '\0', len))
			bad = N_("binary data");
		else
			bad = proc_parse_line(line, len, f->family, f->proto, ticks, &c);
		if (bad) {
			/* Only the file, line and field are reported: the line itself may hold
			 * anything, and nothing raw from the file reaches the terminal. */
			snap->skipped++;
			snapshot_add_note(snap, _("%s:%lu: malformed line (%s), skipped"), path,
			                  lineno, _(bad));
			continue;
		}
		if (f->proto == CONN_TCP && !(r->tcp_states & TCP_STATE_BIT(c.state)))
			continue;
		if (snapshot_add_conn(snap, &c) < 0) {
			ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
			break;
		}
	}
	if (ret == 0 && ferror(in))
		ret = cw_error_set(err, -EIO, _("cannot read %s: %s"), path, strerror(errno));
	else if (ret == 0 && lineno == 0) {
		/* The kernel always writes the header line: an empty file is a damaged capture
		 * (or a truncated copy), not a host without sockets. */
		snap->skipped++;
		snapshot_add_note(snap,
		                  _("%s: empty file (not even the header line); read as "
		                    "no sockets"),
		                  path);
	}
	fclose(in);
	return ret;
}

static int proc_fill(const struct source_request *r, struct snapshot *snap, struct cw_error *err)
{
	const char *root = r->proc_root ? r->proc_root : "/proc";
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/net", root);
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		/* name what is missing: DIR may well exist (--proc-root /tmp) */
		return cw_error_set(err, -ENOENT, _("%s: no such directory (expected %s/tcp ...)"),
		                    dir, dir);
	snap->source_name = "proc";
	long ticks = sysconf(_SC_CLK_TCK);
	bool any_table = false;
	for (size_t i = 0; i < sizeof(proc_files) / sizeof(proc_files[0]); i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s/%s", dir, proc_files[i].name);
		if (access(path, F_OK) == 0)
			any_table = true;
		if (!wanted(r, &proc_files[i]))
			continue;
		int ret = read_file(path, &proc_files[i], r, ticks, snap, err);
		if (ret < 0)
			return ret;
	}
	/* Nothing to read at all is not "no connections": say where we looked. */
	if (!any_table)
		return cw_error_set(err, -ENOENT, _("%s: no socket table (tcp, tcp6, udp, udp6)"),
		                    dir);
	return 0;
}

const struct source_ops source_proc = {
    .name = "proc",
    .fill = proc_fill,
};
