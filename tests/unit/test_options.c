#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "commands.h"
#include "options.h"

#include <errno.h>
#include <string.h>

static int parse(struct cw_options *o, struct cw_error *err, const char *const *args)
{
	char *argv[16];
	int argc = 0;
	argv[argc++] = (char *)"connwatch";
	for (; *args && argc < 15; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return options_parse(argc, argv, o, err);
}

static void check_short_letters_before_or_after_the_command(void **state)
{
	(void)state;
	struct cw_options o;
	struct cw_error err = {0};
	const char *a[] = {"check", "-w", "time_wait=500", "-c", "TIME_WAIT=2000", NULL};
	assert_int_equal(parse(&o, &err, a), 0);
	assert_int_equal(o.command, CMD_CHECK);
	assert_true(o.check_thresholds.has_warn[TCP_ST_TIME_WAIT]);
	assert_true(o.check_thresholds.has_crit[TCP_ST_TIME_WAIT]);
	assert_string_equal(o.check_thresholds.crit[TCP_ST_TIME_WAIT].text, "2000");
	/* options first, value glued to the letter, the command last */
	const char *b[] = {"-cclose_wait=5", "--warning=estab=@0:1", "check", NULL};
	assert_int_equal(parse(&o, &err, b), 0);
	assert_int_equal(o.command, CMD_CHECK);
	assert_true(o.check_thresholds.has_crit[TCP_ST_CLOSE_WAIT]);
	assert_true(o.check_thresholds.warn[TCP_ST_ESTABLISHED].inside);
}

static void check_letters_do_not_apply_elsewhere(void **state)
{
	(void)state;
	struct cw_options o;
	struct cw_error err = {0};
	const char *a[] = {"list", "-c", "x", NULL};
	assert_int_equal(parse(&o, &err, a), -EINVAL);
	/* -c means --critical for check and --count for live; for list it is nothing, and the
	 * message names neither (issue 13), only list's own options */
	assert_non_null(strstr(err.msg, "unknown option '-c'"));
	assert_null(strstr(err.msg, "--count"));
	assert_null(strstr(err.msg, "--critical"));
	assert_non_null(strstr(err.msg, "--no-header"));
	/* an unknown long option lists the options of the command on the line only */
	const char *u[] = {"summary", "--bogus", NULL};
	assert_int_equal(parse(&o, &err, u), -EINVAL);
	assert_non_null(strstr(err.msg, "options of 'summary'"));
	assert_null(strstr(err.msg, "--textfile"));
	assert_null(strstr(err.msg, "--no-header"));
	/* the command is known even when an option before it is bad: check reports UNKNOWN */
	const char *b[] = {"-w", "bogus=1", "check", NULL};
	assert_int_equal(parse(&o, &err, b), -EINVAL);
	assert_int_equal(o.command, CMD_CHECK);
	assert_non_null(strstr(err.msg, "bogus"));
	const char *c[] = {"check", "-c", NULL};
	assert_int_equal(parse(&o, &err, c), -EINVAL);
	assert_non_null(strstr(err.msg, "--critical needs an argument"));
}

/* Issue 13: check's -t is --timeout and -v --verbose, as monitoring plugins spell them; -t is
 * --tcp everywhere else, and --tcp keeps its long form in check. */
static void check_takes_the_plugin_standard_options(void **state)
{
	(void)state;
	struct cw_options o;
	struct cw_error err = {0};
	const char *a[] = {"check", "-t", "5", "-v", NULL};
	assert_int_equal(parse(&o, &err, a), 0);
	assert_int_equal(o.timeout_s, 5);
	assert_true(o.verbose);
	assert_false(o.filter.tcp && !o.filter.udp); /* -t did not select TCP only */
	const char *b[] = {"check", "--tcp", NULL};
	assert_int_equal(parse(&o, &err, b), 0);
	assert_int_equal(o.timeout_s, 10);
	const char *c[] = {"list", "-t", NULL};
	assert_int_equal(parse(&o, &err, c), 0);
	assert_true(o.filter.tcp);
	const char *d[] = {"check", "-t", "0", NULL};
	assert_int_equal(parse(&o, &err, d), -EINVAL);
	assert_non_null(strstr(err.msg, "--timeout"));
	const char *e[] = {"list", "-v", NULL};
	assert_int_equal(parse(&o, &err, e), -EINVAL);
}

static void every_short_letter_is_unique_within_a_command(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < cw_command_count; k++) {
		int owner[128] = {0};
		for (unsigned int i = 0; i < cw_option_def_count; i++) {
			const struct cw_option_def *d = &cw_option_defs[i];
			int letter = options_short_letter_for(d, cw_commands[k].bit);
			if (!letter)
				continue;
			if (owner[letter])
				fail_msg("-%c is used twice by '%s'", letter, cw_commands[k].name);
			owner[letter] = 1;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(check_short_letters_before_or_after_the_command),
	    cmocka_unit_test(check_letters_do_not_apply_elsewhere),
	    cmocka_unit_test(check_takes_the_plugin_standard_options),
	    cmocka_unit_test(every_short_letter_is_unique_within_a_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
