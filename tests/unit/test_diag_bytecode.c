/* The inet_diag bytecode builder: the operations and jump offsets it lays out for each kind of
 * filter, the kernel's audit rules, and (property test) that running the program with the
 * kernel's semantics keeps exactly the connections the user-space filter keeps. The small
 * interpreter and audit below follow net/ipv4/inet_diag.c (inet_diag_bc_run, inet_diag_bc_audit)
 * for the operations the builder uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag_bytecode.h"
#include "filter.h"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* ---- the kernel's semantics, for the operations the builder emits ---- */

static struct inet_diag_bc_op op_at(const struct diag_bytecode *bc, int at)
{
	struct inet_diag_bc_op op;
	memcpy(&op, bc->code + at, sizeof(op));
	return op;
}

static struct inet_diag_hostcond cond_at(const struct diag_bytecode *bc, int at)
{
	struct inet_diag_hostcond c;
	memcpy(&c, bc->code + at + 4, sizeof(c));
	return c;
}

static int family_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : family == AF_UNSPEC ? 0 : -1;
}

/* valid_cc: a jump target must be an operation on the `yes` chain (or the end). */
static int reachable(const struct diag_bytecode *bc, int cc)
{
	int len = (int)bc->len, at = 0;
	while (len >= 0) {
		if (cc > len)
			return 0;
		if (cc == len)
			return 1;
		struct inet_diag_bc_op op = op_at(bc, at);
		if (op.yes < 4 || op.yes & 3)
			return 0;
		len -= op.yes;
		at += op.yes;
	}
	return 0;
}

/* inet_diag_bc_audit, restricted to NOP, JMP, S_COND and D_COND: 0 when the kernel accepts. */
static int audit(const struct diag_bytecode *bc)
{
	int len = (int)bc->len, at = 0;
	if (len < 4)
		return -1;
	while (len > 0) {
		struct inet_diag_bc_op op = op_at(bc, at);
		int min_len = 4;
		switch (op.code) {
		case INET_DIAG_BC_S_COND:
		case INET_DIAG_BC_D_COND: {
			min_len += (int)sizeof(struct inet_diag_hostcond);
			if (len < min_len)
				return -1;
			struct inet_diag_hostcond c = cond_at(bc, at);
			int alen = family_addr_len(c.family);
			if (alen < 0)
				return -1;
			min_len += alen;
			if (len < min_len || c.prefix_len > 8 * alen)
				return -1;
			break;
		}
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return -1;
		}
		if (op.code != INET_DIAG_BC_NOP) {
			if (op.no < min_len || op.no > len + 4 || op.no & 3)
				return -1;
			if (op.no < len && !reachable(bc, len - op.no))
				return -1;
		}
		if (op.yes < min_len || op.yes > len + 4 || op.yes & 3)
			return -1;
		at += op.yes;
		len -= op.yes;
	}
	return len == 0 ? 0 : -1;
}

static int prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	for (int i = 0; i < bits; i++) {
		int mask = 0x80 >> (i % 8);
		if ((a[i / 8] & mask) != (b[i / 8] & mask))
			return 0;
	}
	return 1;
}

static const uint8_t mapped_head[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* inet_diag_bc_run on one connection as the kernel sees its socket. */
static bool run(const struct diag_bytecode *bc, const struct conn *c)
{
	int len = (int)bc->len, at = 0;
	while (len > 0) {
		struct inet_diag_bc_op op = op_at(bc, at);
		bool yes = true;
		if (op.code == INET_DIAG_BC_JMP) {
			yes = false;
		} else if (op.code == INET_DIAG_BC_S_COND || op.code == INET_DIAG_BC_D_COND) {
			bool local = op.code == INET_DIAG_BC_S_COND;
			struct inet_diag_hostcond cond = cond_at(bc, at);
			const uint8_t *want = bc->code + at + 4 + sizeof(cond);
			const uint8_t *addr = local ? c->local_addr : c->remote_addr;
			uint16_t port = local ? c->local_port : c->remote_port;
			if (cond.port != -1 && cond.port != port)
				yes = false;
			else if (cond.family != AF_UNSPEC && cond.family != c->family)
				yes = c->family == AF_INET6 && cond.family == AF_INET &&
				      !memcmp(addr, mapped_head, 12) &&
				      prefix_equal(addr + 12, want, cond.prefix_len);
			else
				yes = cond.prefix_len == 0 ||
				      prefix_equal(addr, want, cond.prefix_len);
		} else {
			fail_msg("operation %d not expected", op.code);
		}
		at += yes ? op.yes : op.no;
		len -= yes ? op.yes : op.no;
	}
	return len == 0;
}

/* ---- helpers ---- */

static struct filter all_sockets(void)
{
	struct filter f;
	filter_init(&f);
	f.listening = FILTER_ALL;
	filter_finish(&f);
	return f;
}

static struct conn tcp(int family, const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = CONN_TCP;
	c.family = (uint8_t)family;
	c.state = TCP_ST_ESTABLISHED;
	assert_int_equal(inet_pton(family, l, c.local_addr), 1);
	assert_int_equal(inet_pton(family, r, c.remote_addr), 1);
	c.local_port = lp;
	c.remote_port = rp;
	return c;
}

/* Runs the program on a TCP connection made of these endpoints. */
static bool passes(const struct diag_bytecode *bc, int family, const char *l, uint16_t lp,
                   const char *r, uint16_t rp)
{
	struct conn c = tcp(family, l, lp, r, rp);
	return run(bc, &c);
}

static void build_ok(const struct filter *f, struct diag_bytecode *bc)
{
	diag_bytecode_build(f, bc);
	if (bc->len && audit(bc) != 0) /* len 0: no attribute is sent */
		fail_msg("audit refused: %u ports, %u local, %u remote, %u bytes", f->port_count,
		         f->local_count, f->remote_count, bc->len);
}

static void assert_op(const struct diag_bytecode *bc, int at, int code, int yes, int no)
{
	struct inet_diag_bc_op op = op_at(bc, at);
	assert_int_equal(op.code, code);
	assert_int_equal(op.yes, yes);
	assert_int_equal(op.no, no);
}

static void assert_cond(const struct diag_bytecode *bc, int at, int family, int prefix_len,
                        int port, const char *addr)
{
	struct inet_diag_hostcond c = cond_at(bc, at);
	assert_int_equal(c.family, family);
	assert_int_equal(c.prefix_len, prefix_len);
	assert_int_equal(c.port, port);
	if (addr) {
		uint8_t want[16];
		assert_int_equal(inet_pton(family, addr, want), 1);
		assert_memory_equal(bc->code + at + 12, want, family == AF_INET ? 4 : 16);
	}
}

/* ---- the layouts ---- */

static void no_ports_no_addresses_no_program(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	assert_int_equal(filter_add_states(&f, "established", NULL), 0);
	struct diag_bytecode bc;
	diag_bytecode_build(&f, &bc);
	assert_int_equal(bc.len, 0);
}

static void one_port_is_either_side(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	assert_int_equal(filter_add_port(&f, "443", NULL), 0);
	struct diag_bytecode bc;
	build_ok(&f, &bc);
	/* S_COND port 443 | JMP to the end | D_COND port 443 (fails: end + 4, refused) */
	assert_int_equal(bc.len, 28);
	assert_op(&bc, 0, INET_DIAG_BC_S_COND, 12, 16);
	assert_cond(&bc, 0, AF_UNSPEC, 0, 443, NULL);
	assert_op(&bc, 12, INET_DIAG_BC_JMP, 4, 16);
	assert_op(&bc, 16, INET_DIAG_BC_D_COND, 12, 16);
	assert_cond(&bc, 16, AF_UNSPEC, 0, 443, NULL);

	struct conn server = tcp(AF_INET, "10.0.0.1", 443, "10.0.0.2", 50000);
	struct conn client = tcp(AF_INET6, "2001:db8::2", 50000, "2001:db8::1", 443);
	struct conn other = tcp(AF_INET, "10.0.0.1", 444, "10.0.0.2", 4430);
	assert_true(run(&bc, &server));
	assert_true(run(&bc, &client));
	assert_false(run(&bc, &other));
}

static void several_ports_jump_to_the_group_end(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	assert_int_equal(filter_add_port(&f, "80", NULL), 0);
	assert_int_equal(filter_add_port(&f, "8080", NULL), 0);
	struct diag_bytecode bc;
	build_ok(&f, &bc);
	/* S80 J D80 J S8080 J D8080: 4 tests of 12 bytes and 3 jumps */
	assert_int_equal(bc.len, 4 * 12 + 3 * 4);
	for (int i = 0; i < 3; i++) {
		int at = i * 16;
		assert_op(&bc, at, i % 2 ? INET_DIAG_BC_D_COND : INET_DIAG_BC_S_COND, 12, 16);
		assert_cond(&bc, at, AF_UNSPEC, 0, i < 2 ? 80 : 8080, NULL);
		assert_op(&bc, at + 12, INET_DIAG_BC_JMP, 4, 60 - (at + 12));
	}
	assert_op(&bc, 48, INET_DIAG_BC_D_COND, 12, 16);
	assert_cond(&bc, 48, AF_UNSPEC, 0, 8080, NULL);
	assert_true(run(&bc, &(struct conn){.local_port = 8080, .family = AF_INET}));
	assert_true(run(&bc, &(struct conn){.remote_port = 80, .family = AF_INET}));
	assert_false(run(&bc, &(struct conn){.local_port = 81, .family = AF_INET}));
}

static void local_ipv4_prefix(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	assert_int_equal(filter_add_local(&f, "10.1.0.0/16", NULL), 0);
	struct diag_bytecode bc;
	build_ok(&f, &bc);
	assert_int_equal(bc.len, 16);
	assert_op(&bc, 0, INET_DIAG_BC_S_COND, 16, 20);
	assert_cond(&bc, 0, AF_INET, 16, -1, "10.1.0.0");
	assert_true(passes(&bc, AF_INET, "10.1.2.3", 1, "10.9.9.9", 2));
	assert_false(passes(&bc, AF_INET, "10.2.2.3", 1, "10.1.9.9", 2));
	/* an IPv4 network also matches IPv4-mapped addresses of IPv6 sockets, nothing else */
	assert_true(passes(&bc, AF_INET6, "::ffff:10.1.7.7", 1, "::1", 2));
	assert_false(passes(&bc, AF_INET6, "::10.1.7.7", 1, "::1", 2));
}

static void remote_ipv6_and_mapped_addresses(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	assert_int_equal(filter_add_remote(&f, "2001:db8::/32", NULL), 0);
	assert_int_equal(filter_add_remote(&f, "::ffff:127.0.0.1", NULL), 0);
	struct diag_bytecode bc;
	build_ok(&f, &bc);
	/* D_COND v6 /32 | JMP | D_COND v6 /128 */
	assert_int_equal(bc.len, 28 + 4 + 28);
	assert_op(&bc, 0, INET_DIAG_BC_D_COND, 28, 32);
	assert_cond(&bc, 0, AF_INET6, 32, -1, "2001:db8::");
	assert_op(&bc, 28, INET_DIAG_BC_JMP, 4, 32);
	assert_op(&bc, 32, INET_DIAG_BC_D_COND, 28, 32);
	assert_cond(&bc, 32, AF_INET6, 128, -1, "::ffff:127.0.0.1");
	assert_true(passes(&bc, AF_INET6, "::1", 1, "2001:db8:5::1", 2));
	assert_true(passes(&bc, AF_INET6, "::1", 1, "::ffff:127.0.0.1", 2));
	/* an IPv6 spelling of an IPv4 address matches only IPv6 sockets */
	assert_false(passes(&bc, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2));
	assert_false(passes(&bc, AF_INET6, "::1", 1, "2001:db9::1", 2));
}

static void groups_are_and_ed(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	assert_int_equal(filter_add_port(&f, "22", NULL), 0);
	assert_int_equal(filter_add_local(&f, "192.168.0.0/24", NULL), 0);
	assert_int_equal(filter_add_local(&f, "fe80::/10", NULL), 0);
	assert_int_equal(filter_add_remote(&f, "0.0.0.0/0", NULL), 0);
	struct diag_bytecode bc;
	build_ok(&f, &bc);
	/* ports [0, 28), local [28, 76), remote [76, 92) */
	assert_int_equal(bc.len, 28 + (16 + 4 + 28) + 16);
	assert_op(&bc, 12, INET_DIAG_BC_JMP, 4, 28 - 12); /* a port matched: on to local */
	assert_op(&bc, 16, INET_DIAG_BC_D_COND, 12, 92 - 16 + 4);
	assert_op(&bc, 28, INET_DIAG_BC_S_COND, 16, 20);
	assert_op(&bc, 44, INET_DIAG_BC_JMP, 4, 76 - 44);
	assert_op(&bc, 48, INET_DIAG_BC_S_COND, 28, 92 - 48 + 4);
	assert_cond(&bc, 48, AF_INET6, 10, -1, "fe80::");
	assert_op(&bc, 76, INET_DIAG_BC_D_COND, 16, 20);
	assert_cond(&bc, 76, AF_INET, 0, -1, "0.0.0.0");
	assert_true(passes(&bc, AF_INET, "192.168.0.5", 22, "8.8.8.8", 9));
	assert_false(passes(&bc, AF_INET, "192.168.1.5", 22, "8.8.8.8", 9));
	assert_false(passes(&bc, AF_INET, "192.168.0.5", 23, "8.8.8.8", 9));
	/* the remote /0 is an IPv4 network: an IPv6 peer does not match it */
	assert_false(passes(&bc, AF_INET6, "fe80::1", 22, "fe80::2", 9));
}

static void the_largest_filter_fits_and_passes_the_audit(void **state)
{
	(void)state;
	struct filter f = all_sockets();
	char text[64];
	for (int i = 0; i < FILTER_MAX_PORTS; i++) {
		snprintf(text, sizeof(text), "%d", 65535 - i);
		assert_int_equal(filter_add_port(&f, text, NULL), 0);
	}
	for (int i = 0; i < FILTER_MAX_PREFIXES; i++) {
		snprintf(text, sizeof(text), "2001:db8:%x::/%d", i, 48 + i);
		assert_int_equal(filter_add_local(&f, text, NULL), 0);
		assert_int_equal(filter_add_remote(&f, text, NULL), 0);
	}
	struct diag_bytecode bc;
	build_ok(&f, &bc);
	assert_true(bc.len <= DIAG_BYTECODE_MAX);
	assert_int_equal(bc.len, 32 * 12 + 31 * 4 + 2 * (16 * 28 + 15 * 4));
	assert_true(run(
	    &bc, &(struct conn[]){tcp(AF_INET6, "2001:db8:f::1", 65520, "2001:db8:3::1", 1)}[0]));
	assert_false(run(
	    &bc, &(struct conn[]){tcp(AF_INET6, "2001:db8:f::1", 65519, "2001:db8:3::1", 1)}[0]));
}

/* ---- property: kernel program + user-space filter == user-space filter ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* Few distinct values, so that matches are frequent. */
static const char *const v4_pool[] = {"127.0.0.1", "127.0.0.2",   "10.0.0.1",
                                      "10.0.1.1",  "192.168.7.9", "0.0.0.0"};
static const char *const v6_pool[] = {"::1",
                                      "::",
                                      "2001:db8::1",
                                      "2001:db8:1::5",
                                      "fe80::1",
                                      "::ffff:127.0.0.1",
                                      "::ffff:10.0.0.1",
                                      "::127.0.0.1",
                                      "::ffff:0:10.0.0.1"};
static const uint16_t port_pool[] = {22, 80, 443, 8000, 8001, 50000, 0};

static void random_addr(int family, uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == AF_INET)
		inet_pton(AF_INET, v4_pool[rnd(sizeof(v4_pool) / sizeof(*v4_pool))], out);
	else
		inet_pton(AF_INET6, v6_pool[rnd(sizeof(v6_pool) / sizeof(*v6_pool))], out);
}

static void random_prefix_text(char *buf, size_t size)
{
	bool v6 = rnd(2);
	const char *a = v6 ? v6_pool[rnd(sizeof(v6_pool) / sizeof(*v6_pool))]
	                   : v4_pool[rnd(sizeof(v4_pool) / sizeof(*v4_pool))];
	unsigned int max = v6 ? 128 : 32;
	switch (rnd(3)) {
	case 0:
		snprintf(buf, size, "%s", a);
		break;
	case 1:
		snprintf(buf, size, "%s/%u", a, rnd(max + 1));
		break;
	default: /* the prefix lengths where bit handling changes */
		snprintf(buf, size, "%s/%u", a, max - rnd(2) * (max - 8 * rnd(max / 8 + 1)));
		break;
	}
}

static void random_filter(struct filter *f)
{
	filter_init(f);
	char text[96];
	int n = (int)rnd(4);
	for (int i = 0; i < n; i++) {
		uint16_t p = port_pool[rnd(sizeof(port_pool) / sizeof(*port_pool) - 1)];
		snprintf(text, sizeof(text), "%u", p);
		assert_int_equal(filter_add_port(f, text, NULL), 0);
	}
	n = (int)rnd(4);
	for (int i = 0; i < n; i++) {
		random_prefix_text(text, sizeof(text));
		assert_int_equal(filter_add_local(f, text, NULL), 0);
	}
	n = (int)rnd(4);
	for (int i = 0; i < n; i++) {
		random_prefix_text(text, sizeof(text));
		assert_int_equal(filter_add_remote(f, text, NULL), 0);
	}
	f->tcp = rnd(2);
	f->udp = rnd(2);
	f->ipv4 = rnd(2);
	f->ipv6 = rnd(2);
	f->listening = (enum filter_listening)rnd(3);
	if (rnd(3) == 0)
		f->states = (rnd(0xfff) << 1) & TCP_STATES_ALL;
	filter_finish(f);
}

static void random_conn(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->proto = rnd(2) ? CONN_TCP : CONN_UDP;
	c->family = rnd(2) ? AF_INET6 : AF_INET;
	c->state = (uint8_t)(1 + rnd(TCP_ST_MAX - 1));
	random_addr(c->family, c->local_addr);
	random_addr(c->family, c->remote_addr);
	c->local_port = port_pool[rnd(sizeof(port_pool) / sizeof(*port_pool))];
	c->remote_port = port_pool[rnd(sizeof(port_pool) / sizeof(*port_pool))];
}

static void program_and_user_filter_agree(void **state)
{
	(void)state;
	unsigned long kept = 0, dropped_by_program = 0;
	for (int round = 0; round < 4000; round++) {
		struct filter f;
		random_filter(&f);
		struct diag_bytecode bc;
		build_ok(&f, &bc);
		struct filter rest = f; /* what the request and user space decide besides */
		rest.port_count = rest.local_count = rest.remote_count = 0;
		for (int i = 0; i < 50; i++) {
			struct conn c;
			random_conn(&c);
			bool user = filter_match(&f, &c);
			bool kernel = bc.len == 0 || run(&bc, &c);
			if (user != (filter_match(&rest, &c) && kernel)) {
				char l[64], r[64];
				inet_ntop(c.family, c.local_addr, l, sizeof(l));
				inet_ntop(c.family, c.remote_addr, r, sizeof(r));
				fail_msg("round %d: %s:%u -> %s:%u user %d kernel %d", round, l,
				         c.local_port, r, c.remote_port, user, kernel);
			}
			kept += user;
			dropped_by_program += !kernel;
		}
	}
	/* the generator exercises both outcomes in quantity */
	assert_true(kept > 5000);
	assert_true(dropped_by_program > 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_ports_no_addresses_no_program),
	    cmocka_unit_test(one_port_is_either_side),
	    cmocka_unit_test(several_ports_jump_to_the_group_end),
	    cmocka_unit_test(local_ipv4_prefix),
	    cmocka_unit_test(remote_ipv6_and_mapped_addresses),
	    cmocka_unit_test(groups_are_and_ed),
	    cmocka_unit_test(the_largest_filter_fits_and_passes_the_audit),
	    cmocka_unit_test(program_and_user_filter_agree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
