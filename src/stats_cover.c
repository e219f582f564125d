/* The networks a SYN flood comes from: the smallest prefixes that cover most of its sources,
 * read from the hierarchical count of STATS_SYN_RECV_PREFIX (every prefix length of every source,
 * per local port).
 *
 * From each /8 (IPv4) or /32 (IPv6) holding at least a share of the port's SYN_RECV, it walks
 * down while the sources stay inside a narrower prefix:
 *   - children (the next length) holding less than the line threshold are residue; when the
 *     residue is more than a tenth of the prefix, the prefix itself is named (its sources are
 *     spread too thin for a narrower answer);
 *   - otherwise the children are covered in turn, and their answer replaces the prefix unless
 *     it spans more than half of the prefix's addresses: then one line for the prefix says the
 *     same in fewer words (5,000 sources spread over 10.99.0.0/16 give that /16, not 256 /24s).
 * Counts come from a Space-Saving table (stats_tally.h): exact while it has not replaced keys,
 * else each at most its tally's error_max too high. */
#include "stats.h"

#include <netinet/in.h>
#include <string.h>

#define COVER_SHARE_DIVISOR 20 /* a line needs 1/20 of the port's SYN_RECV */
#define COVER_RESIDUE_PCT   10 /* more than this % left out: name the wider prefix */
#define COVER_MAX_ITEMS     64 /* disjoint lines of at least 1/20 each: at most 20 per family */

struct cover_ctx {
	const struct stats *s;
	uint64_t threshold;
	struct stats_cover_item items[COVER_MAX_ITEMS];
	size_t count;
};

static uint64_t prefix_count(const struct cover_ctx *c, const struct stats_key *k)
{
	const struct stats_entry *e = stats_find(c->s, STATS_SYN_RECV_PREFIX, k);
	return e ? e->count : 0;
}

static unsigned int step_of(const struct stats_key *k)
{
	return k->family == AF_INET ? 1 : 4;
}

static unsigned int max_len(const struct stats_key *k)
{
	return k->family == AF_INET ? 32 : 128;
}

/* The i-th child of k one step longer (i < 2^step). */
static struct stats_key child_of(const struct stats_key *k, unsigned int i)
{
	struct stats_key ch = *k;
	unsigned int step = step_of(k), len = k->prefix;
	for (unsigned int b = 0; b < step; b++) {
		unsigned int bit = len + b; /* counted from the most significant */
		if (i & (1u << (step - 1 - b)))
			ch.addr[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
	}
	ch.prefix = (uint8_t)(len + step);
	return ch;
}

static void push(struct cover_ctx *c, const struct stats_key *k, uint64_t count)
{
	if (c->count < COVER_MAX_ITEMS)
		c->items[c->count++] = (struct stats_cover_item){.key = *k, .count = count};
}

/* Appends the cover of k (count >= threshold) to c->items. */
static void cover(struct cover_ctx *c, const struct stats_key *k, uint64_t count)
{
	size_t start = c->count;
	if (k->prefix >= max_len(k)) {
		push(c, k, count);
		return;
	}
	unsigned int nchild = 1u << step_of(k);
	uint64_t kept = 0;
	for (unsigned int i = 0; i < nchild; i++) {
		struct stats_key ch = child_of(k, i);
		uint64_t n = prefix_count(c, &ch);
		if (n < c->threshold)
			continue;
		kept += n;
		cover(c, &ch, n);
	}
	uint64_t residue = count > kept ? count - kept : 0;
	/* Share of k's addresses the children's answer spans (each line is 2^-(len - k's len)). */
	double span = 0;
	for (size_t i = start; i < c->count; i++) {
		unsigned int longer = c->items[i].key.prefix - k->prefix;
		span += longer < 64 ? 1.0 / (double)(1ull << longer) : 0.0;
	}
	if (c->count == start || residue * 100 > count * COVER_RESIDUE_PCT || span > 0.5) {
		c->count = start;
		push(c, k, count);
	}
}

size_t stats_syn_recv_cover(const struct stats *s, uint16_t port, struct stats_cover_item *out,
                            size_t max, uint64_t *covered)
{
	struct stats_key pk = {.port = port};
	const struct stats_entry *pe = stats_find(s, STATS_SYN_RECV_PORT, &pk);
	*covered = 0;
	if (!pe || !max)
		return 0;
	struct cover_ctx c = {.s = s};
	c.threshold = (pe->count + COVER_SHARE_DIVISOR - 1) / COVER_SHARE_DIVISOR;
	if (!c.threshold)
		c.threshold = 1;
	/* The roots: every /8 and IPv6 /32 the port's sources are in, held by the table. */
	const struct stats_tally *t = &s->tally[STATS_SYN_RECV_PREFIX];
	for (size_t i = 0; i < t->used; i++) {
		const struct stats_entry *e = &t->entries[i];
		bool root = e->key.family == AF_INET ? e->key.prefix == 8 : e->key.prefix == 32;
		if (e->key.port == port && root && e->count >= c.threshold)
			cover(&c, &e->key, e->count);
	}
	/* Busiest first; ties by address so the output is stable. */
	for (size_t i = 1; i < c.count; i++) {
		struct stats_cover_item cur = c.items[i];
		size_t j = i;
		while (j > 0 && (c.items[j - 1].count < cur.count ||
		                 (c.items[j - 1].count == cur.count &&
		                  (c.items[j - 1].key.family > cur.key.family ||
		                   (c.items[j - 1].key.family == cur.key.family &&
		                    memcmp(c.items[j - 1].key.addr, cur.key.addr, 16) > 0))))) {
			c.items[j] = c.items[j - 1];
			j--;
		}
		c.items[j] = cur;
	}
	size_t n = c.count < max ? c.count : max;
	for (size_t i = 0; i < c.count; i++)
		*covered += c.items[i].count;
	memcpy(out, c.items, n * sizeof(*out));
	return n;
}
