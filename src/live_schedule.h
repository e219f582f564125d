/* When the live screen refreshes, and what its loop does next. Pure: the caller passes the
 * clock; nothing here reads the kernel, sleeps or draws.
 *
 * A refresh runs off the screen's thread (live_worker.h): the loop answers keys while it is in
 * flight, takes the new sample when the worker has finished, and starts the next one an
 * interval after the last one ended, so a refresh slower than the interval never queues the
 * next one behind it. */
#ifndef CW_LIVE_SCHEDULE_H
#define CW_LIVE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* While a refresh is in flight the loop looks at the worker this often (keys are answered at
 * once all the same: the wait ends on a key). */
#define LIVE_POLL_MS 20
/* Otherwise it wakes at least this often, so a stop signal is never missed for long. */
#define LIVE_WAKE_MS 250

struct live_schedule {
	uint64_t interval_ms;
	uint64_t due_ms;     /* when the next refresh may start */
	uint64_t started_ms; /* when the refresh in flight started */
	bool in_flight;
};

enum live_step {
	LIVE_STEP_WAIT,   /* wait for a key up to wait_ms */
	LIVE_STEP_START,  /* start a refresh now */
	LIVE_STEP_FINISH, /* the refresh in flight is done: take it in */
};

struct live_plan {
	enum live_step step;
	int wait_ms; /* LIVE_STEP_WAIT: how long at most */
};

/* The first refresh is due at now_ms. */
void live_schedule_init(struct live_schedule *s, uint64_t interval_ms, uint64_t now_ms);

/* What to do at now_ms. finished: the worker's refresh has returned (meaningless when none is
 * in flight). paused: no new refresh starts (one in flight is still taken in). */
struct live_plan live_schedule_plan(const struct live_schedule *s, uint64_t now_ms, bool finished,
                                    bool paused);

void live_schedule_started(struct live_schedule *s, uint64_t now_ms);

/* The refresh in flight was taken in (or abandoned) at now_ms: the next is due an interval
 * later. */
void live_schedule_finished(struct live_schedule *s, uint64_t now_ms);

/* How long the refresh in flight has been running at now_ms; 0 when none is. */
uint64_t live_schedule_running_ms(const struct live_schedule *s, uint64_t now_ms);

/* CONNWATCH_TEST_SLOW_REFRESH_MS (connwatch(1)): "MS[,MS...]", refresh i (from 1) taking the
 * i-th value longer and every refresh after the list the last value. */
#define LIVE_TEST_DELAYS_MAX   8
#define LIVE_TEST_DELAY_CAP_MS 60000u
struct live_test_delays {
	uint32_t ms[LIVE_TEST_DELAYS_MAX];
	size_t count; /* 0: no delay */
};

/* Parses text (NULL or empty: no delay); each value is capped at LIVE_TEST_DELAY_CAP_MS.
 * Returns 0, or -EINVAL (d then holds no delay). */
int live_test_delays_parse(const char *text, struct live_test_delays *d);

/* The delay of refresh `refresh` (1 for the first). */
uint64_t live_test_delay(const struct live_test_delays *d, uint64_t refresh);

#endif
