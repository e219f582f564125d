/* Fuzzes the summary pipeline with arbitrary rows: the input is cut into struct conn records
 * (any bytes: states, families and ports out of range), counted, diagnosed with thresholds from
 * the first bytes and rendered as text and JSON. Nothing may crash, and the JSON must end the way
 * the writer ends a document. */
#include "fuzz.h"

#include "render_summary.h"
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_config cfg;
	diag_config_default(&cfg);
	/* The first bytes pick low thresholds so that the rules fire on small inputs too. */
	if (size >= 4) {
		cfg.syn_recv_warning = data[0] % 4;
		cfg.time_wait_remote = data[1] % 4;
		cfg.close_wait_count = data[2] % 4;
		cfg.close_wait_unaged = data[2] % 4;
		cfg.syn_sent_remote = data[3] % 4;
		cfg.fin_wait2_count = data[3] % 4;
		cfg.queue_connections = data[0] % 3;
		cfg.recv_q_bytes = data[1];
		cfg.send_q_bytes = data[2];
		data += 4;
		size -= 4;
	}
	struct snapshot snap;
	snapshot_init(&snap);
	for (size_t off = 0; off + sizeof(struct conn) <= size; off += sizeof(struct conn)) {
		struct conn c;
		memcpy(&c, data + off, sizeof(c));
		c.family = c.family & 1 ? 10 /* AF_INET6 */ : 2 /* AF_INET */;
		c.proto &= 1;
		c.flags = 0; /* named sides hold pointers: only the text source sets them */
		if (snapshot_add_conn(&snap, &c) < 0)
			break;
	}
	struct kcounters kc;
	kcounters_init(&kc);
	kc.valid = true;
	kc.v[KC_SYSCTL_PORT_LOW] = size % 70000;
	kc.v[KC_SYSCTL_PORT_HIGH] = (size * 7) % 70000;
	kc.v[KC_SYSCTL_MAX_TW_BUCKETS] = (int64_t)(size % 3);
	kc.v[KC_SOCK_ORPHAN] = (int64_t)size;
	kc.v[KC_SYSCTL_MAX_ORPHANS] = (int64_t)(size % 5);
	struct tally sum;
	tally_init(&sum, &cfg, &kc);
	tally_rows(&sum, &snap, NULL, 0);
	if (tally_diagnose(&sum, NULL, 0) == 0) {
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		if (out) {
			render_summary_text(out, &sum);
			fclose(out);
			free(buf);
		}
		buf = NULL;
		out = open_memstream(&buf, &len);
		if (out) {
			render_summary_json(out, &sum);
			fclose(out);
			if (len < 3 || memcmp(buf + len - 3, "]}\n", 3) != 0)
				abort();
			free(buf);
		}
	}
	tally_free(&sum);
	snapshot_free(&snap);
	return 0;
}
