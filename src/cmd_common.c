#include "cmd_common.h"

#include "cw_config.h"
#include "exitcode.h"
#include "i18n.h"
#include "options.h"
#include "owners_bpf.h"
#include "procmap.h"
#include "tally.h"

#include <errno.h>
#include <string.h>

void cmd_print_error(const char *msg)
{
	fprintf(stderr, "connwatch: %s\n", msg);
}

int cmd_report_notes(struct collector *col, const struct snapshot *snap)
{
	if (col && col->fell_back) {
		fprintf(stderr,
		        _("connwatch: netlink sock_diag is not available (%s); reading /proc "
		          "instead\n"),
		        col->fallback_reason);
		col->fell_back = false; /* said once */
	}
	for (size_t i = 0; i < snap->note_count; i++)
		fprintf(stderr, "connwatch: %s\n", snap->notes[i]);
	if (snap->notes_dropped)
		fprintf(stderr,
		        P_("connwatch: ... and %zu more such message\n",
		           "connwatch: ... and %zu more such messages\n", snap->notes_dropped),
		        snap->notes_dropped);
	return snap->skipped ? CW_EXIT_PARTIAL : CW_EXIT_OK;
}

void cmd_report_owners(const struct procmap_info *info, bool *said)
{
	if (*said || info->unresolved == 0 || !info->restricted)
		return;
	if (info->denied)
		fprintf(stderr,
		        P_("connwatch: (not all processes could be identified: %zu socket has no "
		           "known owner and %zu processes could not be read; run as root to see "
		           "them all)\n",
		           "connwatch: (not all processes could be identified: %zu sockets have no "
		           "known owner and %zu processes could not be read; run as root to see "
		           "them all)\n",
		           info->unresolved),
		        info->unresolved, info->denied);
	else /* hidepid: other users' processes are not even listed */
		fprintf(stderr,
		        P_("connwatch: (not all processes could be identified: %zu socket has no "
		           "known owner; without root, other users' processes cannot be seen)\n",
		           "connwatch: (not all processes could be identified: %zu sockets have no "
		           "known owner; without root, other users' processes cannot be seen)\n",
		           info->unresolved),
		        info->unresolved);
	*said = true;
}

int cmd_open_bpf(const struct cw_options *o, bool resident, struct bpf_source **out)
{
	struct cw_error note = {0}, err = {0};
	if (collector_open_bpf(o, resident, out, &note, &err) < 0) {
		cmd_print_error(err.msg);
		return CW_EXIT_RUNTIME;
	}
	if (note.msg[0])
		fprintf(stderr,
		        _("connwatch: the BPF fast path is not used (%s); reading sock_diag "
		          "instead\n"),
		        note.msg);
	return CW_EXIT_OK;
}

void cmd_open_bpf_owners(const struct cw_options *o, struct procmap *pm, struct owners_bpf **out)
{
	*out = NULL;
	struct cw_error ignored;
	if (!o->processes || owners_bpf_open(out, &ignored) < 0)
		return;
	struct procmap_lister l = owners_bpf_lister(*out);
	procmap_set_lister(pm, &l);
}

int cmd_output_status(FILE *out)
{
	if (fflush(out) == 0 && !ferror(out))
		return CW_EXIT_OK;
	if (errno == EPIPE)
		return CW_EXIT_OK;
	fprintf(stderr, _("connwatch: cannot write output: %s\n"), strerror(errno));
	return CW_EXIT_RUNTIME;
}

void cmd_report_config_skipped(const struct config_skipped *skipped)
{
	for (unsigned int i = 0; i < skipped->count; i++)
		fprintf(stderr, _("connwatch: warning: %s\n"), skipped->msg[i]);
}

int cmd_add_close_wait_ages(struct collector *col, struct tally *t, struct cw_error *err)
{
	if (!tally_needs_close_wait_ages(t))
		return 0;
	return collector_take_close_wait_ages(col, tally_age_sink(t), err);
}
