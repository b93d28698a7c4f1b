/*
 * A persistent pthreads pool for splitting one layer across threads.
 *
 * Design (why it looks like this):
 * - Workers live as long as the pool; a parallel_for publishes a job and the caller works on
 *   it too, so a pool of N threads has N-1 workers.
 * - Items are claimed one at a time from a single 64-bit cursor that packs (generation, next
 *   index). A worker that wakes late, after the job it saw is finished and a newer one has
 *   started, fails its compare-and-swap instead of running an item of the new job with the old
 *   function: so the caller only waits for the items to be done, never for sleepy workers.
 *   Publishing takes two steps: the cursor is first closed (an odd generation with the index
 *   at its maximum, so no claim can succeed), then the job is written, then the cursor opens
 *   at the next even generation. Without the closing step a worker holding the finished
 *   cursor (g, n_old) could read the new, larger n and claim index n_old of the old job.
 * - Waking is low-latency: workers spin on the cursor for a while (layers follow each other
 *   within microseconds), then sleep on a condition variable. The caller likewise spins for
 *   the last items before sleeping. Sleep/wake use a Dekker-style handshake on sequentially
 *   consistent atomics (publish, then look for sleepers; register as a sleeper, then recheck),
 *   so no wakeup is lost.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define WI_CPU_RELAX() _mm_pause()
#else
#define WI_CPU_RELAX() ((void)0)
#endif

/* Spin iterations before sleeping: a few tens of microseconds, about the gap between layers. */
enum { WI_POOL_SPIN = 20000 };

typedef void (*wi_pool_fn)(void *ctx, size_t i);

struct wi_threadpool {
    int threads; /* including the caller */
    pthread_t *workers;
    int started;  /* workers successfully created */

    /* the current job; written by the caller before publishing `cursor` */
    _Atomic(wi_pool_fn) fn;
    _Atomic(void *) ctx;
    atomic_size_t n;
    atomic_uint_fast64_t cursor; /* generation << 32 | next unclaimed index */
    atomic_size_t done;          /* items finished in the current generation */
    atomic_int stop;

    pthread_mutex_t mu;
    pthread_cond_t work_cv;   /* workers sleep here */
    pthread_cond_t done_cv;   /* the caller sleeps here */
    atomic_int sleepers;      /* workers asleep or about to be */
    atomic_int caller_asleep;
};

static uint32_t cursor_gen(uint64_t c) { return (uint32_t)(c >> 32); }

/* A worker has nothing new to do while the generation is the one it saw or a closed one. */
static int nothing_new(wi_threadpool *p, uint32_t seen) {
    uint32_t gen = cursor_gen(atomic_load(&p->cursor));
    return (gen == seen || (gen & 1)) && !atomic_load(&p->stop);
}

/* Runs items of generation `gen` until none is left. */
static void run_items(wi_threadpool *p, uint32_t gen) {
    uint64_t cur = atomic_load(&p->cursor);
    for (;;) {
        if (cursor_gen(cur) != gen) return;
        size_t n = atomic_load_explicit(&p->n, memory_order_relaxed);
        uint32_t idx = (uint32_t)cur;
        if (idx >= n) return;
        if (!atomic_compare_exchange_weak(&p->cursor, &cur, cur + 1)) continue;
        /* Claimed: generation `gen` cannot finish before this item does, so fn/ctx are its. */
        wi_pool_fn fn = atomic_load_explicit(&p->fn, memory_order_relaxed);
        void *ctx = atomic_load_explicit(&p->ctx, memory_order_relaxed);
        fn(ctx, idx);
        if (atomic_fetch_add(&p->done, 1) + 1 == n && atomic_load(&p->caller_asleep)) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done_cv);
            pthread_mutex_unlock(&p->mu);
        }
        cur = atomic_load(&p->cursor);
    }
}

static void *worker_main(void *arg) {
    wi_threadpool *p = arg;
    uint32_t seen = cursor_gen(atomic_load(&p->cursor));
    for (;;) {
        int spins = 0;
        while (nothing_new(p, seen) && spins < WI_POOL_SPIN) {
            WI_CPU_RELAX();
            spins++;
        }
        if (nothing_new(p, seen)) {
            pthread_mutex_lock(&p->mu);
            atomic_fetch_add(&p->sleepers, 1);
            while (nothing_new(p, seen)) pthread_cond_wait(&p->work_cv, &p->mu);
            atomic_fetch_sub(&p->sleepers, 1);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->stop)) return NULL;
        seen = cursor_gen(atomic_load(&p->cursor));
        if (!(seen & 1)) run_items(p, seen);
    }
}

static void wake_workers(wi_threadpool *p) {
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->work_cv);
        pthread_mutex_unlock(&p->mu);
    }
}

wi_threadpool *wi_threadpool_create(int threads) {
    if (threads <= 1) return NULL;
    if (threads > 256) threads = 256;
    wi_threadpool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->threads = threads;
    p->workers = calloc((size_t)threads - 1, sizeof *p->workers);
    if (!p->workers || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->workers);
        free(p);
        return NULL;
    }
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    for (int t = 0; t < threads - 1; t++) {
        if (pthread_create(&p->workers[t], NULL, worker_main, p) != 0) break;
        p->started++;
    }
    if (p->started != threads - 1) {
        wi_threadpool_free(p);
        return NULL;
    }
    return p;
}

void wi_threadpool_free(wi_threadpool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int t = 0; t < p->started; t++) pthread_join(p->workers[t], NULL);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

int wi_threadpool_size(const wi_threadpool *p) { return p ? p->threads : 1; }

void wi_threadpool_parallel_for(wi_threadpool *p, size_t n, void (*fn)(void *ctx, size_t i),
                                void *ctx) {
    if (!p || n <= 1 || n >= UINT32_MAX) {
        for (size_t i = 0; i < n; i++) fn(ctx, i);
        return;
    }
    uint32_t gen = cursor_gen(atomic_load(&p->cursor)) + 2;
    atomic_store(&p->cursor, ((uint64_t)(gen - 1) << 32) | UINT32_MAX); /* closed */
    atomic_store_explicit(&p->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&p->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&p->n, n, memory_order_relaxed);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    atomic_store(&p->cursor, (uint64_t)gen << 32); /* publishes the job (seq_cst) */
    wake_workers(p);
    run_items(p, gen);
    int spins = 0;
    while (atomic_load(&p->done) != n && spins < WI_POOL_SPIN) {
        WI_CPU_RELAX();
        spins++;
    }
    if (atomic_load(&p->done) != n) {
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->caller_asleep, 1);
        while (atomic_load(&p->done) != n) pthread_cond_wait(&p->done_cv, &p->mu);
        atomic_store(&p->caller_asleep, 0);
        pthread_mutex_unlock(&p->mu);
    }
}
