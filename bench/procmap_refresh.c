/*
 * bench/procmap_refresh: what -p costs a live view per refresh, on the sockets of this network
 * namespace (run it next to bench/populate, as bench/procmap.sh does).
 *
 *   procmap_refresh [REFRESHES]
 *
 * Takes a netlink snapshot of all TCP sockets, resolves their owners with a fresh procmap
 * (the full walk that `list -p` does), then REFRESHES times (default 5) takes a new snapshot
 * and resolves it with the same procmap, as the live view does. Prints one line per step:
 * milliseconds of the resolve alone, sockets wanted/found, processes and fd links read.
 */
#include "enrich.h"
#include "options.h"
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int step(const char *what, struct collector *col, struct snapshot *snap, struct procmap *pm)
{
	struct cw_error err = {0};
	struct procmap_info info;
	if (collector_take(col, snap, &err) < 0) {
		fprintf(stderr, "procmap_refresh: %s\n", err.msg);
		return -1;
	}
	double t0 = now_ms();
	if (enrich_owners(pm, snap, &info, &err) < 0) {
		fprintf(stderr, "procmap_refresh: %s\n", err.msg);
		return -1;
	}
	double t1 = now_ms();
	printf("%-10s resolve_ms=%.2f rows=%zu wanted=%zu found=%zu walked=%d processes=%zu "
	       "links=%zu\n",
	       what, t1 - t0, snap->count, info.wanted, info.found, info.walked, info.processes,
	       info.links);
	return 0;
}

int main(int argc, char **argv)
{
	int refreshes = argc > 1 ? atoi(argv[1]) : 5;
	if (refreshes < 0 || refreshes > 1000) {
		fprintf(stderr, "usage: procmap_refresh [REFRESHES (0-1000)]\n");
		return 2;
	}
	struct cw_options o = {0};
	filter_init(&o.filter);
	o.filter.listening = FILTER_ALL;
	filter_finish(&o.filter);
	struct collector col;
	collector_init(&col, &o);
	struct snapshot snap;
	snapshot_init(&snap);
	struct procmap pm;
	procmap_init(&pm, NULL);
	int r = step("first", &col, &snap, &pm);
	for (int i = 0; r == 0 && i < refreshes; i++)
		r = step("refresh", &col, &snap, &pm);
	procmap_free(&pm);
	snapshot_free(&snap);
	return r == 0 ? 0 : 1;
}
