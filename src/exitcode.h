/* Process exit codes. Numbers never change once released; each is documented in man/connwatch.1.
 * `connwatch check` follows the monitoring-plugins convention instead (0 OK .. 3 UNKNOWN). */
#ifndef CW_EXITCODE_H
#define CW_EXITCODE_H

enum cw_exit {
	CW_EXIT_OK = 0,      /* success */
	CW_EXIT_RUNTIME = 1, /* the kernel, a file or the network refused or failed */
	CW_EXIT_USAGE = 2,   /* bad option, argument or configuration */
	CW_EXIT_PARTIAL = 3, /* output shown, but some input lines were unreadable and skipped */
};

#endif
