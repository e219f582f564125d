/* One job at a time on a thread of its own: the live screen's refresh reads a huge socket table
 * (a million sockets take seconds) there while the screen's thread keeps answering keys,
 * resizes and signals.
 *
 * Ownership is handed over, never shared: between live_worker_start() and live_worker_join()
 * the job owns what its ctx points to and the caller must not touch it; after the join it is
 * the caller's again. The worker allocates nothing that outlives the join. Its thread blocks
 * every signal, so SIGINT, SIGTERM, SIGHUP and SIGWINCH reach the screen's thread (and
 * interrupt its wait) as they did without a worker. */
#ifndef CW_LIVE_WORKER_H
#define CW_LIVE_WORKER_H

#include "error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

/* A job: returns 0 or a negative errno with err set. It should look at *cancel now and then
 * (a source does between two reads) and return -ECANCELED soon after it is set. */
typedef int (*live_job_fn)(void *ctx, const atomic_bool *cancel, struct cw_error *err);

struct live_worker {
	pthread_t thread;
	bool busy;            /* started and not yet joined */
	atomic_bool cancel;   /* live_worker_cancel() was called */
	atomic_bool finished; /* the job returned; the join will not wait */
	live_job_fn job;
	void *ctx;
	int rc;
	struct cw_error err;
};

void live_worker_init(struct live_worker *w);

/* Runs job(ctx) on a new thread. Returns 0, or a negative errno with err set (no thread then). */
int live_worker_start(struct live_worker *w, live_job_fn job, void *ctx, struct cw_error *err);

/* True when the job has returned (a join would not wait). */
bool live_worker_finished(struct live_worker *w);

/* Asks the job to stop early; live_worker_join() must still follow. */
void live_worker_cancel(struct live_worker *w);

/* Waits for the job and gives back what it returned (its message in err). Ctx is the caller's
 * again. Not busy: returns 0 at once. */
int live_worker_join(struct live_worker *w, struct cw_error *err);

/* Cancels and joins a job still running, its result thrown away. Safe when not busy. */
void live_worker_abandon(struct live_worker *w);

#endif
