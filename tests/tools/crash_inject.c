/* Fault injection for tests/integration/live_tui_robust.sh, loaded with LD_PRELOAD: it wraps
 * ncurses' wgetch() so that a key makes the live view fail the way a bug would while the screen
 * is up and stderr is held. No hook in connwatch itself.
 *   '!'  reads past a heap block: under ASan a real sanitizer report and death; in a build
 *        without sanitizers the read goes unnoticed, so it aborts (SIGABRT) instead
 *   '@'  calls exit(7), as a library deep down might */
#include <curses.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int wgetch(WINDOW *win)
{
	static int (*real)(WINDOW *);
	if (!real)
		real = (int (*)(WINDOW *))dlsym(RTLD_NEXT, "wgetch");
	if (!real)
		abort();
	int ch = real(win);
	if (ch == '!') {
		fprintf(stderr, "crash_inject: reading past a heap block\n");
		char *volatile p = malloc(8);
		volatile char c = p[8]; /* ASan: heap-buffer-overflow */
		(void)c;
		free(p);
		fprintf(stderr, "crash_inject: no sanitizer caught it; aborting\n");
		abort();
	}
	if (ch == '@') {
		fprintf(stderr, "crash_inject: exit(7) with the screen up\n");
		exit(7);
	}
	return ch;
}
