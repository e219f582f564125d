/* Test helper: reads saved netstat/ss text through the text source and prints the rows as
 * `connwatch list -a` would (no header), so a test can compare an import with a live listing
 * before the import command exists on this branch. Exit 3 when lines were skipped. */
#include "i18n.h"
#include "render_table.h"
#include "source.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE|-\n", argv[0]);
		return 2;
	}
	i18n_init("en");
	struct source_request req = {
	    .tcp_states = TCP_STATES_ALL,
	    .udp = true,
	    .ipv4 = true,
	    .ipv6 = true,
	    .input_path = argv[1],
	};
	struct snapshot snap;
	struct cw_error err = {0};
	snapshot_init(&snap);
	int r = source_text.fill(&req, &snap, &err);
	if (r < 0) {
		fprintf(stderr, "text_table: %s\n", err.msg);
		snapshot_free(&snap);
		return 1;
	}
	for (size_t i = 0; i < snap.note_count; i++)
		fprintf(stderr, "text_table: %s\n", snap.notes[i]);
	render_table(stdout, &snap, false);
	int status = snap.skipped ? 3 : 0;
	snapshot_free(&snap);
	i18n_cleanup();
	return status;
}
