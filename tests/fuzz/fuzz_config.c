/* Fuzzes the configuration file reader (config_read_stream) and the kernel counter parsers
 * (/proc/net/netstat, snmp and sockstat text, which --proc-root reads from a capture). Checks
 * what they promise: a config either loads with every value in its range or fails with a
 * message that names the line and carries no control byte; the counter parsers never store a
 * negative value. */
#include "fuzz.h"

#include "cw_config.h"
#include "kcounters.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_config(const uint8_t *data, size_t size)
{
	struct diag_config cfg;
	struct cw_error err = {0};
	diag_config_default(&cfg);
	FILE *f = fmemopen((void *)data, size, "r");
	if (!f)
		return;
	int r = config_read_stream(&cfg, f, "fuzz.conf", &err);
	fclose(f);
	if (r == 0) {
		if (cfg.orphans_pct > 100 || cfg.listen_queue_pct > 100 ||
		    cfg.ephemeral_pct > 100 || cfg.time_wait_buckets_pct > 100)
			abort();
		return;
	}
	if (r != -EINVAL || strncmp(err.msg, "fuzz.conf:", 10) != 0)
		abort();
	for (const unsigned char *p = (const unsigned char *)err.msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

static void check_counters(const uint8_t *data, size_t size)
{
	struct kcounters kc;
	kcounters_init(&kc);
	kcounters_parse_pairs(&kc, (const char *)data, size);
	kcounters_parse_sockstat(&kc, (const char *)data, size);
	for (int i = 0; i < KC_COUNT; i++)
		if (kc.v[i] != KC_UNKNOWN && kc.v[i] < 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_config(data, size);
	check_counters(data, size);
	return 0;
}
