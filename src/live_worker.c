#include "live_worker.h"

#include "i18n.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

void live_worker_init(struct live_worker *w)
{
	memset(w, 0, sizeof(*w));
	atomic_init(&w->cancel, false);
	atomic_init(&w->finished, false);
}

static void *run(void *arg)
{
	struct live_worker *w = arg;
	w->rc = w->job(w->ctx, &w->cancel, &w->err);
	atomic_store(&w->finished, true);
	return NULL;
}

int live_worker_start(struct live_worker *w, live_job_fn job, void *ctx, struct cw_error *err)
{
	if (w->busy)
		return cw_error_set(err, -EBUSY, "%s", _("a refresh is already running"));
	w->job = job;
	w->ctx = ctx;
	w->rc = 0;
	memset(&w->err, 0, sizeof(w->err));
	atomic_store(&w->cancel, false);
	atomic_store(&w->finished, false);
	/* The thread inherits the mask in force at its creation: all blocked, then restored. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return cw_error_set(err, -rc, _("cannot start a thread: %s"), strerror(rc));
	w->busy = true;
	return 0;
}

bool live_worker_finished(struct live_worker *w)
{
	return w->busy && atomic_load(&w->finished);
}

void live_worker_cancel(struct live_worker *w)
{
	atomic_store(&w->cancel, true);
}

int live_worker_join(struct live_worker *w, struct cw_error *err)
{
	if (!w->busy)
		return 0;
	pthread_join(w->thread, NULL);
	w->busy = false;
	if (w->rc < 0 && err)
		*err = w->err;
	return w->rc;
}

void live_worker_abandon(struct live_worker *w)
{
	live_worker_cancel(w);
	live_worker_join(w, NULL);
}
