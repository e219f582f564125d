#include "render_explain.h"

#include "i18n.h"
#include "render_json.h"
#include "util/jsonw.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define LINE_WIDTH 78

/* Columns a UTF-8 string takes (every character counts one: the catalogues hold no wide
 * characters). */
static int text_columns(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Writes text word-wrapped to LINE_WIDTH; the cursor is at column `col` and continuation lines
 * start at column `indent`. Ends with a newline. */
static void wrap(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;
	bool first_word = true;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *w = p;
		int wcols = 0;
		while (*p && *p != ' ') {
			wcols += ((unsigned char)*p & 0xc0) != 0x80;
			p++;
		}
		if (!first_word && col + 1 + wcols > LINE_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first_word) {
			fputc(' ', out);
			col++;
		}
		fwrite(w, 1, (size_t)(p - w), out);
		col += wcols;
		first_word = false;
	}
	fputc('\n', out);
}

/* Writes a label padded to `width` columns, then the wrapped text after it. */
static void labelled(FILE *out, int indent, const char *label, int width, const char *text)
{
	fprintf(out, "%*s%s%*s ", indent, "", label, width - text_columns(label), "");
	wrap(out, text, indent + width + 1, indent + width + 1);
}

static int side_width(void)
{
	int w = 0;
	for (unsigned int s = TCP_SIDE_CLIENT; s <= TCP_SIDE_RESPONDER; s++) {
		int n = text_columns(_(tcp_side_label((enum tcp_state_side)s)));
		if (n > w)
			w = n;
	}
	return w;
}

#define STATE_WIDTH 11 /* ESTABLISHED */

/* One sequence; the step in `mark` (when not TCP_ST_UNKNOWN) is pointed at. */
static void sequence(FILE *out, const struct tcp_sequence *seq, enum tcp_state mark)
{
	int sw = side_width();
	fprintf(out, "%s\n", _(seq->title));
	for (unsigned int i = 0; i < seq->count; i++) {
		const struct tcp_sequence_step *st = &seq->steps[i];
		const char *side = _(tcp_side_label(st->side));
		bool marked = mark != TCP_ST_UNKNOWN && st->state == mark;
		fprintf(out, "%s%u. %s%*s  %-*s  ", marked ? "> " : "  ", i + 1, side,
		        sw - text_columns(side), "", STATE_WIDTH, tcp_state_name(st->state));
		int col = 2 + 3 + sw + 2 + STATE_WIDTH + 2;
		wrap(out, _(st->event), col, col);
	}
}

static bool sequence_has(const struct tcp_sequence *seq, enum tcp_state state)
{
	for (unsigned int i = 0; i < seq->count; i++)
		if (seq->steps[i].state == state)
			return true;
	return false;
}

int render_explain_all(FILE *out)
{
	fprintf(out, "%s\n\n", _("TCP connection states"));
	for (unsigned int i = 0; i < tcp_states_documented_count; i++) {
		const struct tcp_state_info *info = tcp_state_info(tcp_states_documented[i]);
		fprintf(out, "%s (ss: %s)\n    ", info->netstat_name, info->ss_name);
		wrap(out, _(info->meaning), 4, 4);
	}
	for (unsigned int i = 0; i < tcp_sequence_count; i++) {
		fputc('\n', out);
		sequence(out, &tcp_sequences[i], TCP_ST_UNKNOWN);
	}
	fprintf(out, "\n%s\n", _("Warning signs: many sockets in these states need a look"));
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			fprintf(out, "\n%s\n",
			        _("What many sockets in the other states usually mean"));
		for (unsigned int i = 0; i < tcp_states_documented_count; i++) {
			const struct tcp_state_info *info =
			    tcp_state_info(tcp_states_documented[i]);
			if (info->warning_sign != (pass == 0))
				continue;
			fprintf(out, "%s %-*s ", pass == 0 ? "  !" : "   ", STATE_WIDTH,
			        info->netstat_name);
			wrap(out, _(info->many_means), 4 + STATE_WIDTH + 1, 4 + STATE_WIDTH + 1);
		}
	}
	fputc('\n', out);
	wrap(out,
	     _("One state, where it sits and how many sockets are in it now: connwatch explain "
	       "STATE (e.g. connwatch explain time-wait)."),
	     0, 0);
	return ferror(out) ? -EIO : 0;
}

int render_explain_state(FILE *out, const struct tcp_state_info *info,
                         const struct explain_count *count)
{
	const char *labels[] = {_("Meaning:"), _("In the sequence:"), _("Warning sign:"),
	                        _("Many of them:"), _("Right now:")};
	int width = 0;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (text_columns(labels[i]) > width)
			width = text_columns(labels[i]);
	fprintf(out, _("%s (ss: %s, kernel state %u)\n"), info->netstat_name, info->ss_name,
	        (unsigned int)info->state);
	labelled(out, 2, labels[0], width, _(info->meaning));
	labelled(out, 2, labels[1], width, _(info->sequence));
	labelled(out, 2, labels[info->warning_sign ? 2 : 3], width, _(info->many_means));
	char now[256];
	if (count->known)
		snprintf(now, sizeof(now), _("%s sockets: %lu (tcp %lu, tcp6 %lu)"),
		         info->netstat_name, count->total, count->tcp, count->tcp6);
	else
		snprintf(now, sizeof(now), "%s", _("unknown: the sockets could not be read"));
	labelled(out, 2, labels[4], width, now);
	for (unsigned int i = 0; i < tcp_sequence_count; i++) {
		if (!sequence_has(&tcp_sequences[i], info->state))
			continue;
		fputc('\n', out);
		sequence(out, &tcp_sequences[i], info->state);
	}
	return ferror(out) ? -EIO : 0;
}

void explain_count_fill(struct explain_count *count, const struct stats *st, enum tcp_state state)
{
	memset(count, 0, sizeof(*count));
	count->known = true;
	if ((unsigned)state >= TCP_ST_MAX)
		return;
	count->tcp = (unsigned long)st->by_proto_state[STATS_TCP][state];
	count->tcp6 = (unsigned long)st->by_proto_state[STATS_TCP6][state];
	count->total = count->tcp + count->tcp6;
}

static void json_state(struct jsonw *w, const struct tcp_state_info *info)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "state", info->netstat_name);
	jsonw_kv_string(w, "ss_name", info->ss_name);
	jsonw_kv_uint(w, "kernel_number", info->state);
	jsonw_kv_string(w, "meaning", _(info->meaning));
	jsonw_kv_string(w, "sequence", _(info->sequence));
	jsonw_kv_string(w, "many_means", _(info->many_means));
	jsonw_kv_string(w, "side", tcp_side_id(info->side));
	jsonw_kv_bool(w, "warning_sign", info->warning_sign);
	jsonw_object_end(w);
}

static void json_sequence(struct jsonw *w, const struct tcp_sequence *seq, const char *id)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "id", id);
	jsonw_kv_string(w, "title", _(seq->title));
	jsonw_key(w, "steps");
	jsonw_array_begin(w);
	for (unsigned int i = 0; i < seq->count; i++) {
		jsonw_object_begin(w);
		jsonw_kv_string(w, "state", tcp_state_name(seq->steps[i].state));
		jsonw_kv_string(w, "side", tcp_side_id(seq->steps[i].side));
		jsonw_kv_string(w, "event", _(seq->steps[i].event));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
	jsonw_object_end(w);
}

/* Stable identifiers of tcp_sequences[], in its order. */
static const char *const sequence_ids[] = {"opening", "closing", "simultaneous_close"};

static void json_sequences(struct jsonw *w, enum tcp_state only)
{
	jsonw_key(w, "sequences");
	jsonw_array_begin(w);
	for (unsigned int i = 0; i < tcp_sequence_count; i++)
		if (only == TCP_ST_UNKNOWN || sequence_has(&tcp_sequences[i], only))
			json_sequence(w, &tcp_sequences[i], sequence_ids[i]);
	jsonw_array_end(w);
}

/* Opens the document: version and the language its texts are in. */
static void json_begin(struct jsonw *w, FILE *out)
{
	jsonw_init(w, out);
	jsonw_object_begin(w);
	jsonw_kv_uint(w, "version", CW_JSON_VERSION);
	jsonw_kv_string(w, "language", i18n_language());
}

static int json_end(struct jsonw *w, FILE *out)
{
	jsonw_object_end(w);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int render_explain_all_json(FILE *out)
{
	struct jsonw w;
	json_begin(&w, out);
	jsonw_key(&w, "states");
	jsonw_array_begin(&w);
	for (unsigned int i = 0; i < tcp_states_documented_count; i++)
		json_state(&w, tcp_state_info(tcp_states_documented[i]));
	jsonw_array_end(&w);
	json_sequences(&w, TCP_ST_UNKNOWN);
	return json_end(&w, out);
}

int render_explain_state_json(FILE *out, const struct tcp_state_info *info,
                              const struct explain_count *count)
{
	struct jsonw w;
	json_begin(&w, out);
	jsonw_key(&w, "state");
	json_state(&w, info);
	jsonw_key(&w, "count");
	if (count->known) {
		jsonw_object_begin(&w);
		jsonw_kv_uint(&w, "total", count->total);
		jsonw_kv_uint(&w, "tcp", count->tcp);
		jsonw_kv_uint(&w, "tcp6", count->tcp6);
		jsonw_object_end(&w);
	} else {
		jsonw_null(&w);
	}
	json_sequences(&w, info->state);
	return json_end(&w, out);
}
