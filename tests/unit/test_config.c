#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cw_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_text(struct diag_config *cfg, const char *text, struct cw_error *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	int r = config_read_stream(cfg, f, "/etc/connwatch.conf", err);
	fclose(f);
	return r;
}

static void file_sets_values_with_units(void **state)
{
	(void)state;
	struct diag_config cfg;
	struct cw_error err = {0};
	diag_config_default(&cfg);
	const char *text = "# thresholds\n"
	                   "\n"
	                   "syn_recv_warning = 250   # per port\n"
	                   "  close_wait_age=2m\n"
	                   "recv_q = 512K\r\n"
	                   "send_q = 8M\n"
	                   "orphans_pct = 100\n";
	assert_int_equal(read_text(&cfg, text, &err), 0);
	assert_int_equal(cfg.syn_recv_warning, 250);
	assert_int_equal(cfg.close_wait_age_s, 120);
	assert_int_equal(cfg.recv_q_bytes, 512 * 1024);
	assert_int_equal(cfg.send_q_bytes, 8 << 20);
	assert_int_equal(cfg.orphans_pct, 100);
	assert_int_equal(cfg.time_wait_remote, 2000); /* untouched default */
}

static void bad_lines_name_file_and_line(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
	    {"syn_recv_warning = 100\nsyn_recv_warning = lots\n",
	     "/etc/connwatch.conf:2: bad value 'lots' for syn_recv_warning"},
	    {"\n\nbogus = 1\n", "/etc/connwatch.conf:3: unknown threshold 'bogus'"},
	    {"syn_recv_warning 100\n", "/etc/connwatch.conf:1: expected NAME = VALUE"},
	    {"orphans_pct = 101\n", "/etc/connwatch.conf:1: bad value '101' for orphans_pct"},
	    {"close_wait_age = 5d\n", "/etc/connwatch.conf:1: bad value '5d'"},
	    {"syn_recv_warning = 99999999999\n", "/etc/connwatch.conf:1: bad value"},
	    {"syn_recv_warning = -1\n", "/etc/connwatch.conf:1: bad value '-1'"},
	    {"syn_recv_warning =\n", "/etc/connwatch.conf:1: bad value ''"},
	    {"recv_q = 5G\n", "/etc/connwatch.conf:1: bad value '5G'"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag_config cfg;
		struct cw_error err = {0};
		diag_config_default(&cfg);
		assert_int_equal(read_text(&cfg, cases[i].text, &err), -EINVAL);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
	}
}

static void nul_byte_is_an_error(void **state)
{
	(void)state;
	static const char text[] = "syn_recv_warning = 1\0 00\n";
	struct diag_config cfg;
	struct cw_error err = {0};
	diag_config_default(&cfg);
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	assert_int_equal(config_read_stream(&cfg, f, "x.conf", &err), -EINVAL);
	fclose(f);
	assert_non_null(strstr(err.msg, "x.conf:1"));
}

static void hostile_text_is_escaped_in_errors(void **state)
{
	(void)state;
	struct diag_config cfg;
	struct cw_error err = {0};
	diag_config_default(&cfg);
	assert_int_equal(read_text(&cfg, "syn_recv_warning = \x1b[2J\n", &err), -EINVAL);
	assert_null(strchr(err.msg, '\x1b'));
	assert_non_null(strstr(err.msg, "\\x1b[2J"));
	assert_int_equal(read_text(&cfg, "\x1b]0;owned\x07 = 1\n", &err), -EINVAL);
	assert_null(strchr(err.msg, '\x1b'));
	assert_null(strchr(err.msg, '\x07'));
	assert_int_equal(config_set_assignment(&cfg, "\x1b[2J", &err), -EINVAL);
	assert_null(strchr(err.msg, '\x1b'));
}

static void load_order_files_then_flags(void **state)
{
	(void)state;
	char dir[] = "/tmp/cw-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/connwatch.conf", dir);
	FILE *f = fopen(path, "w");
	fputs("time_wait_remote = 10\nsyn_sent_total = 7\n", f);
	fclose(f);
	setenv("XDG_CONFIG_HOME", dir, 1);
	struct diag_config cfg;
	struct cw_error err = {0};
	const char *flags[] = {"time_wait_remote=20"};
	assert_int_equal(config_load(&cfg, NULL, flags, 1, NULL, &err), 0);
	assert_int_equal(cfg.time_wait_remote, 20); /* the flag wins */
	assert_int_equal(cfg.syn_sent_total, 7);    /* from the user file */
	/* --config FILE: only that file. */
	assert_int_equal(config_load(&cfg, path, NULL, 0, NULL, &err), 0);
	assert_int_equal(cfg.time_wait_remote, 10);
	/* A missing explicit file is an error; a missing default file is not. */
	assert_int_equal(config_load(&cfg, "/nonexistent/connwatch.conf", NULL, 0, NULL, &err),
	                 -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/connwatch.conf"));
	const char *bad[] = {"time_wait_remote"};
	assert_int_equal(config_load(&cfg, path, bad, 1, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--threshold"));
	/* Issue 13: a default file that cannot be read (here a directory) is skipped with a
	 * warning naming it; the same file named with --config is an error. */
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	struct config_skipped skipped;
	assert_int_equal(config_load(&cfg, NULL, flags, 1, &skipped, &err), 0);
	assert_int_equal(skipped.count, 1);
	assert_non_null(strstr(skipped.msg[0], path));
	assert_int_equal(cfg.time_wait_remote, 20);
	assert_true(config_load(&cfg, path, NULL, 0, &skipped, &err) < 0);
	assert_non_null(strstr(err.msg, path));
	rmdir(path);
	/* A bad value in a default file stays fatal. */
	f = fopen(path, "w");
	fputs("time_wait_remote = many\n", f);
	fclose(f);
	assert_int_equal(config_load(&cfg, NULL, NULL, 0, &skipped, &err), -EINVAL);
	assert_int_equal(skipped.count, 0);
	unlink(path);
	rmdir(dir);
	unsetenv("XDG_CONFIG_HOME");
}

static void every_key_has_help_and_a_default(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	config_print_defaults(f);
	fclose(f);
	for (size_t i = 0; i < config_key_count; i++) {
		assert_non_null(config_keys[i].help);
		char line[128];
		snprintf(line, sizeof(line), "\n%s = ", config_keys[i].name);
		assert_non_null(strstr(buf, line));
	}
	/* What config_print_defaults writes reads back unchanged. */
	struct diag_config a, b;
	struct cw_error err = {0};
	diag_config_default(&a);
	memset(&b, 0, sizeof(b));
	f = fmemopen(buf, len, "r");
	assert_int_equal(config_read_stream(&b, f, "defaults", &err), 0);
	fclose(f);
	assert_memory_equal(&a, &b, sizeof(a));
	free(buf);
}

static void completion_offers_every_key(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/../../contrib/bash-completion/connwatch",
	         getenv("FIXTURES"));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char text[65536];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (size_t i = 0; i < config_key_count; i++) {
		char spaced[64], quoted[64];
		snprintf(spaced, sizeof(spaced), "%s ", config_keys[i].name);
		snprintf(quoted, sizeof(quoted), "%s\"", config_keys[i].name);
		if (!strstr(text, spaced) && !strstr(text, quoted))
			fail_msg("%s: --threshold does not complete %s", path, config_keys[i].name);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(file_sets_values_with_units),
	    cmocka_unit_test(bad_lines_name_file_and_line),
	    cmocka_unit_test(nul_byte_is_an_error),
	    cmocka_unit_test(hostile_text_is_escaped_in_errors),
	    cmocka_unit_test(load_order_files_then_flags),
	    cmocka_unit_test(every_key_has_help_and_a_default),
	    cmocka_unit_test(completion_offers_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
