#include "jsonw.h"

#include "escape.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void jsonw_init(struct jsonw *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
}

/* Writes the comma before a value when one is due. */
static void value_prefix(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->has_items[w->depth - 1])
			fputc(',', w->out);
		w->has_items[w->depth - 1] = true;
	}
}

static void open_container(struct jsonw *w, char c)
{
	value_prefix(w);
	fputc(c, w->out);
	if (w->depth < JSONW_MAX_DEPTH)
		w->has_items[w->depth] = false;
	w->depth++;
}

static void close_container(struct jsonw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	fputc(c, w->out);
}

void jsonw_object_begin(struct jsonw *w)
{
	open_container(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	close_container(w, '}');
}

void jsonw_array_begin(struct jsonw *w)
{
	open_container(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	close_container(w, ']');
}

static void write_escaped(FILE *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	fputc('"', out);
	for (size_t i = 0; i < len;) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			fputc(c, out);
			i++;
		} else {
			size_t n = utf8_sequence_length(u + i, len - i);
			if (n == 0) {
				/* C1 controls are valid UTF-8 but rejected by the shared check;
				 * write them escaped, other bad bytes as U+FFFD. */
				if (c == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
				    u[i + 1] <= 0x9f) {
					fprintf(out, "\\u%04x", u[i + 1]);
					i += 2;
				} else {
					fputs("\\ufffd", out);
					i++;
				}
			} else {
				fwrite(u + i, 1, n, out);
				i += n;
			}
		}
	}
	fputc('"', out);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	value_prefix(w);
	write_escaped(w->out, key, strlen(key));
	fputc(':', w->out);
	w->after_key = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	jsonw_string_len(w, s, strlen(s));
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t len)
{
	value_prefix(w);
	write_escaped(w->out, s, len);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	value_prefix(w);
	fprintf(w->out, "%" PRIu64, v);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	value_prefix(w);
	fprintf(w->out, "%" PRId64, v);
}

void jsonw_double(struct jsonw *w, double v)
{
	value_prefix(w);
	if (!isfinite(v))
		fputs("null", w->out); /* JSON has no NaN or infinity */
	else
		fprintf(w->out, "%.6g", v);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	value_prefix(w);
	fputs(v ? "true" : "false", w->out);
}

void jsonw_null(struct jsonw *w)
{
	value_prefix(w);
	fputs("null", w->out);
}

void jsonw_kv_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_kv_uint(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	jsonw_uint(w, v);
}

void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_kv_double(struct jsonw *w, const char *key, double v)
{
	jsonw_key(w, key);
	jsonw_double(w, v);
}

void jsonw_kv_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}
