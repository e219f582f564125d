/* Fuzzes the saved netstat/ss text parser (text_parse_buffer: line classification, column
 * parsing, joining of wrapped rows). The input is copied into a buffer of exactly its size, so a
 * read past its end is an ASan report. Checks what the source promises: every row is displayable,
 * every skipped line is counted, and no note carries a control byte or invalid UTF-8 to the
 * terminal. */
#include "fuzz.h"

#include "snapshot.h"
#include "source_text.h"
#include "states.h"
#include "util/addr.h"
#include "util/escape.h"
#include "util/pidnames.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void check_note(const char *note)
{
	const unsigned char *p = (const unsigned char *)note;
	size_t len = strlen(note);
	for (size_t i = 0; i < len;) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			abort();
		size_t n = utf8_sequence_length(p + i, len - i);
		if (n == 0)
			abort();
		i += n;
	}
}

/* /etc/services, read once per process: reading and parsing it for every input that names a
 * service cost a quarter of the harness's time. import reads it once per input file, which is
 * once per process. Never freed: it lives as long as the fuzzer. */
static const struct services *services_once(void)
{
	static struct services table;
	static bool loaded;
	if (!loaded) {
		loaded = true;
		services_load(&table, "/etc/services");
	}
	return &table;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct source_request req = {
	    .tcp_states = TCP_STATES_ALL, .udp = true, .ipv4 = true, .ipv6 = true};
	struct snapshot snap;
	snapshot_init(&snap);
	if (text_parse_buffer("fuzz", buf, size, &req, services_once(), &snap) == 0) {
		char ep[ADDR_ENDPOINT_MAX];
		for (size_t i = 0; i < snap.count; i++) {
			const struct conn *c = &snap.conns[i];
			if (c->family != AF_INET && c->family != AF_INET6)
				abort();
			if (c->proto != CONN_TCP && c->proto != CONN_UDP)
				abort();
			if (!tcp_state_info(c->state))
				abort();
			/* A process named by -p: a handle the owner table gave out, a real pid. */
			const struct pidnames_entry *o =
			    c->owner && snap.owners ? pidnames_get(snap.owners, c->owner) : NULL;
			if (c->owner && (!o || o->pid <= 0))
				abort();
			for (int remote = 0; remote < 2; remote++) {
				size_t n = conn_format_endpoint(ep, c, remote);
				if (n >= sizeof(ep))
					abort();
				/* Names from the input are printable ASCII without blanks. */
				for (size_t j = 0; j < n; j++)
					if (ep[j] <= ' ' || ep[j] > '~')
						abort();
			}
		}
		/* Every skipped line has its note; up to three more say once that netstat cut
		 * addresses, that names were read, and how many lines of other kinds were skipped.
		 */
		size_t notes = snap.note_count + snap.notes_dropped;
		if (notes < snap.skipped || notes > snap.skipped + 3)
			abort();
		for (size_t i = 0; i < snap.note_count; i++)
			check_note(snap.notes[i]);
	}
	snapshot_free(&snap);
	free(buf);
	return 0;
}
