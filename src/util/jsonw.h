/* A small streaming JSON writer: commas, nesting and string escaping done in one place. */
#ifndef CW_UTIL_JSONW_H
#define CW_UTIL_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 32

struct jsonw {
	FILE *out; /* borrowed */
	int depth;
	bool has_items[JSONW_MAX_DEPTH];
	bool after_key;
};

void jsonw_init(struct jsonw *w, FILE *out);
void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* A key inside an object; the next value call writes its value. */
void jsonw_key(struct jsonw *w, const char *key);
/* A string value; bytes that are not valid UTF-8 become U+FFFD, so the document stays valid. */
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_string_len(struct jsonw *w, const char *s, size_t len);
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

/* Shorthands for key + value. */
void jsonw_kv_string(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_uint(struct jsonw *w, const char *key, uint64_t v);
void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_kv_double(struct jsonw *w, const char *key, double v);
void jsonw_kv_bool(struct jsonw *w, const char *key, bool v);

#endif
