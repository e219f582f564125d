/* Errors travel up as a return value plus a message; only main.c and cmd_*.c print them. */
#ifndef CW_ERROR_H
#define CW_ERROR_H

struct cw_error {
	int code;      /* negative errno, or -1 where no errno applies */
	char msg[512]; /* already translated, ready to print after "connwatch: " */
};

/* Fills err (when not NULL) and returns code, so a caller can write `return cw_error_set(...)`. */
int cw_error_set(struct cw_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
