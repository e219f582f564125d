#include "live_schedule.h"

#include "util/parse.h"

#include <errno.h>
#include <string.h>

void live_schedule_init(struct live_schedule *s, uint64_t interval_ms, uint64_t now_ms)
{
	memset(s, 0, sizeof(*s));
	s->interval_ms = interval_ms;
	s->due_ms = now_ms;
}

static int clamp_wait(uint64_t ms)
{
	return ms < LIVE_WAKE_MS ? (int)ms : LIVE_WAKE_MS;
}

struct live_plan live_schedule_plan(const struct live_schedule *s, uint64_t now_ms, bool finished,
                                    bool paused)
{
	if (s->in_flight)
		return finished ? (struct live_plan){LIVE_STEP_FINISH, 0}
		                : (struct live_plan){LIVE_STEP_WAIT, LIVE_POLL_MS};
	if (paused)
		return (struct live_plan){LIVE_STEP_WAIT, LIVE_WAKE_MS};
	if (now_ms >= s->due_ms)
		return (struct live_plan){LIVE_STEP_START, 0};
	return (struct live_plan){LIVE_STEP_WAIT, clamp_wait(s->due_ms - now_ms)};
}

void live_schedule_started(struct live_schedule *s, uint64_t now_ms)
{
	s->in_flight = true;
	s->started_ms = now_ms;
}

void live_schedule_finished(struct live_schedule *s, uint64_t now_ms)
{
	s->in_flight = false;
	s->due_ms = now_ms + s->interval_ms;
}

uint64_t live_schedule_running_ms(const struct live_schedule *s, uint64_t now_ms)
{
	return s->in_flight && now_ms > s->started_ms ? now_ms - s->started_ms : 0;
}

int live_test_delays_parse(const char *text, struct live_test_delays *d)
{
	memset(d, 0, sizeof(*d));
	if (!text || !*text)
		return 0;
	const char *p = text, *end = text + strlen(text);
	for (;;) {
		uint64_t v;
		if (d->count == LIVE_TEST_DELAYS_MAX || !parse_dec(&p, end, &v))
			break;
		d->ms[d->count++] =
		    v > LIVE_TEST_DELAY_CAP_MS ? LIVE_TEST_DELAY_CAP_MS : (uint32_t)v;
		if (p == end)
			return 0;
		if (!parse_char(&p, end, ','))
			break;
	}
	memset(d, 0, sizeof(*d));
	return -EINVAL;
}

uint64_t live_test_delay(const struct live_test_delays *d, uint64_t refresh)
{
	if (!d->count || refresh == 0)
		return 0;
	return d->ms[refresh <= d->count ? refresh - 1 : d->count - 1];
}
