/* Bounded tallies (Space-Saving) and the networks of a SYN flood (hierarchical heavy hitters):
 * what an attacker controls must not grow memory, and the busiest keys and networks must
 * still come out, with counts inside the stated error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag_fixtures.h"
#include "stats.h"

#include <stdio.h>
#include <string.h>

static void exact_until_the_limit(void **state)
{
	(void)state;
	struct stats_tally t;
	stats_tally_init(&t, 8);
	bool is_new;
	for (uint32_t i = 0; i < 8; i++)
		for (uint32_t j = 0; j <= i; j++)
			assert_non_null(
			    stats_tally_add(&t, &(struct stats_key){.id = i}, 1, &is_new));
	assert_int_equal(t.used, 8);
	assert_int_equal(t.evictions, 0);
	for (uint32_t i = 0; i < 8; i++) {
		const struct stats_entry *e = stats_tally_find(&t, &(struct stats_key){.id = i});
		assert_non_null(e);
		assert_int_equal(e->count, i + 1);
		assert_int_equal(e->error, 0);
	}
	/* A ninth key replaces the smallest (id 0, count 1) and starts above it. */
	const struct stats_entry *e =
	    stats_tally_add(&t, &(struct stats_key){.id = 99}, 1, &is_new);
	assert_true(is_new);
	assert_int_equal(e->count, 2);
	assert_int_equal(e->error, 1);
	assert_null(stats_tally_find(&t, &(struct stats_key){.id = 0}));
	assert_int_equal(t.used, 8);
	assert_int_equal(t.error_max, 1);
	stats_tally_free(&t);
}

/* A heavy-tailed stream: five heavy keys among 100,000 one-off keys, interleaved. */
static void heavy_keys_survive_a_flood_of_one_offs(void **state)
{
	(void)state;
	const size_t limit = 64;
	struct stats_tally t;
	stats_tally_init(&t, limit);
	const uint64_t heavy[5] = {9000, 7000, 5000, 3000, 2500};
	uint64_t seen[5] = {0}, total = 0;
	bool is_new;
	uint32_t next_one_off = 1000;
	for (uint32_t round = 0; round < 100000; round++) {
		assert_non_null(
		    stats_tally_add(&t, &(struct stats_key){.id = next_one_off++}, 1, &is_new));
		total++;
		for (int h = 0; h < 5; h++)
			if (seen[h] < heavy[h] && round % (100000 / heavy[h]) == 0) {
				stats_tally_add(&t, &(struct stats_key){.id = (uint32_t)h}, 1,
				                &is_new);
				seen[h]++;
				total++;
			}
	}
	/* Bounded memory, and the stream's guarantees. */
	assert_true(t.used <= limit && t.entry_cap <= limit);
	assert_true(t.evictions > 0);
	assert_true(t.error_max <= total / limit);
	uint64_t sum = 0;
	for (size_t i = 0; i < t.used; i++) {
		const struct stats_entry *e = &t.entries[i];
		sum += e->count;
		assert_ptr_equal(stats_tally_find(&t, &e->key), e); /* the index is consistent */
		assert_true(e->error <= t.error_max);
	}
	assert_int_equal(sum, total); /* Space-Saving keeps the total */
	struct stats_entry top[5];
	assert_int_equal(stats_tally_top(&t, -1, top, 5), 5);
	for (int h = 0; h < 5; h++) {
		assert_int_equal(top[h].key.id, (uint32_t)h);
		assert_true(top[h].count >= seen[h]);
		assert_true(top[h].count - top[h].error <= seen[h]);
	}
	/* A clear keeps the bound and starts exact again. */
	stats_tally_clear(&t);
	assert_int_equal(t.used, 0);
	assert_int_equal(t.evictions, 0);
	for (uint32_t i = 0; i < 200; i++)
		stats_tally_add(&t, &(struct stats_key){.id = i % 10}, 1, &is_new);
	assert_int_equal(t.used, 10);
	assert_int_equal(stats_tally_find(&t, &(struct stats_key){.id = 3})->count, 20);
	stats_tally_free(&t);
}

/* 32-bit xorshift: reproducible "spoofed" addresses. */
static uint32_t next_random(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void syn_from(struct stats *s, uint16_t port, uint32_t addr_host_order)
{
	char text[32];
	snprintf(text, sizeof(text), "%u.%u.%u.%u", addr_host_order >> 24,
	         (addr_host_order >> 16) & 255, (addr_host_order >> 8) & 255,
	         addr_host_order & 255);
	struct conn c = fx_tcp("192.0.2.1", port, text, 40000, TCP_ST_SYN_RECV);
	stats_add(s, &c, NULL);
}

static size_t cover_text(const struct stats *s, uint16_t port, char lines[][STATS_KEY_TEXT_MAX],
                         uint64_t *counts, size_t max, uint64_t *covered)
{
	struct stats_cover_item items[16];
	size_t n = stats_syn_recv_cover(s, port, items, max < 16 ? max : 16, covered);
	for (size_t i = 0; i < n; i++) {
		stats_key_format(lines[i], &items[i].key, false);
		counts[i] = items[i].count;
	}
	return n;
}

static void spoofed_sources_over_a_slash16_give_one_line(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	uint32_t x = 12345;
	for (int i = 0; i < 5000; i++)
		syn_from(&s, 80, 0x0a630000u | (next_random(&x) & 0xffff)); /* 10.99.0.0/16 */
	char lines[8][STATS_KEY_TEXT_MAX];
	uint64_t counts[8], covered;
	assert_int_equal(cover_text(&s, 80, lines, counts, 8, &covered), 1);
	assert_string_equal(lines[0], "10.99.0.0/16");
	assert_int_equal(counts[0], 5000);
	assert_int_equal(covered, 5000);
	assert_int_equal(s.tally[STATS_SYN_RECV_PREFIX].evictions, 0); /* exact here */
	stats_free(&s);
}

static void separate_networks_stay_separate(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	uint32_t x = 777;
	/* Two /16s inside one /8, and a /24 elsewhere: three lines, not 10.0.0.0/8. */
	for (int i = 0; i < 2000; i++) {
		syn_from(&s, 443, 0x0a630000u | (next_random(&x) & 0xffff));
		syn_from(&s, 443, 0x0ac80000u | (next_random(&x) & 0xffff));
		if (i % 2)
			syn_from(&s, 443, 0xc0a80500u | (next_random(&x) & 0xff));
	}
	/* A few scattered sources: left out as residue. */
	for (int i = 0; i < 50; i++)
		syn_from(&s, 443, next_random(&x));
	char lines[8][STATS_KEY_TEXT_MAX];
	uint64_t counts[8], covered;
	assert_int_equal(cover_text(&s, 443, lines, counts, 8, &covered), 3);
	assert_string_equal(lines[0], "10.99.0.0/16");
	assert_string_equal(lines[1], "10.200.0.0/16");
	assert_string_equal(lines[2], "192.168.5.0/24");
	assert_true(covered >= 5000 && covered <= 5050);
	/* Another port sees nothing of it. */
	assert_int_equal(cover_text(&s, 80, lines, counts, 8, &covered), 0);
	stats_free(&s);
}

static void scattered_sources_name_no_network(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	uint32_t x = 4242;
	for (int i = 0; i < 20000; i++)
		syn_from(&s, 80, next_random(&x)); /* the whole IPv4 space: no /8 holds 5% */
	char lines[8][STATS_KEY_TEXT_MAX];
	uint64_t counts[8], covered;
	assert_int_equal(cover_text(&s, 80, lines, counts, 8, &covered), 0);
	assert_int_equal(covered, 0);
	/* Memory stayed bounded although every source was new. */
	assert_true(s.tally[STATS_SYN_RECV_SOURCE].used <= STATS_REMOTE_KEYS_MAX);
	assert_true(s.tally[STATS_SYN_RECV_PREFIX].used <= STATS_PREFIX_KEYS_MAX);
	assert_true(s.tally[STATS_SYN_RECV_SOURCE].evictions > 0);
	stats_free(&s);
}

static void ipv6_sources_by_nibble(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	uint32_t x = 99;
	for (int i = 0; i < 2000; i++) {
		char text[64];
		uint32_t r = next_random(&x), q = next_random(&x);
		snprintf(text, sizeof(text), "2001:db8:1:%x:%x::%x", r & 0xffff, q & 0xffff,
		         r >> 16);
		struct conn c = fx_tcp("2001:db8::1", 443, text, 40000, TCP_ST_SYN_RECV);
		stats_add(&s, &c, NULL);
	}
	char lines[8][STATS_KEY_TEXT_MAX];
	uint64_t counts[8], covered;
	assert_int_equal(cover_text(&s, 443, lines, counts, 8, &covered), 1);
	assert_string_equal(lines[0], "2001:db8:1::/48");
	assert_int_equal(counts[0], 2000);
	stats_free(&s);
}

/* 60,000 spoofed sources over 10.0.0.0/8: the tables replace keys, memory stays bounded, the
 * network still comes out with its count inside the stated error. */
static void bounded_flood_still_names_its_network(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	uint32_t x = 31337;
	for (int i = 0; i < 60000; i++)
		syn_from(&s, 80, 0x0a000000u | (next_random(&x) & 0xffffff));
	const struct stats_tally *p = &s.tally[STATS_SYN_RECV_PREFIX];
	assert_true(p->evictions > 0);
	assert_true(p->used <= STATS_PREFIX_KEYS_MAX && p->entry_cap <= STATS_PREFIX_KEYS_MAX);
	assert_true(s.tally[STATS_SYN_RECV_SOURCE].entry_cap <= STATS_REMOTE_KEYS_MAX);
	/* Every source was counted 25 times (/8../32) in a table of 65,536 keys. */
	assert_true(p->error_max <= 60000ull * 25 / STATS_PREFIX_KEYS_MAX);
	char lines[8][STATS_KEY_TEXT_MAX];
	uint64_t counts[8], covered;
	assert_int_equal(cover_text(&s, 80, lines, counts, 8, &covered), 1);
	assert_string_equal(lines[0], "10.0.0.0/8");
	assert_int_equal(counts[0], 60000);
	stats_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(exact_until_the_limit),
	    cmocka_unit_test(heavy_keys_survive_a_flood_of_one_offs),
	    cmocka_unit_test(spoofed_sources_over_a_slash16_give_one_line),
	    cmocka_unit_test(separate_networks_stay_separate),
	    cmocka_unit_test(scattered_sources_name_no_network),
	    cmocka_unit_test(ipv6_sources_by_nibble),
	    cmocka_unit_test(bounded_flood_still_names_its_network),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
