/* scripted-backend.c - the test backend described in scripted-backend.h. */
#include "scripted-backend.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released_cond = PTHREAD_COND_INITIALIZER;
static int blocked, running, released, live_workers;

struct wi_backend { int unused; };
struct wi_backend_worker { int unused; };

static wi_status sb_create(const wi_backend_config *c, wi_backend **out, wi_error *err) {
    *out = calloc(1, sizeof **out);
    return *out ? WI_OK : WI_E_OUT_OF_MEMORY;
}

static void sb_destroy(wi_backend *b) { free(b); }

static wi_status sb_describe(wi_backend *b, wi_tensor_info *in, wi_tensor_info *out) {
    *in = (wi_tensor_info){.name = "input", .dtype = WI_DTYPE_FLOAT32, .rank = 4, .dims = {1, 224, 224, 3}};
    *out = (wi_tensor_info){.name = "output", .dtype = WI_DTYPE_FLOAT32, .rank = 2, .dims = {1, 1001}};
    return WI_OK;
}

static wi_status sb_worker_create(wi_backend *b, wi_backend_worker **out, wi_error *err) {
    *out = calloc(1, sizeof **out);
    pthread_mutex_lock(&lock);
    live_workers++;
    pthread_mutex_unlock(&lock);
    return *out ? WI_OK : WI_E_OUT_OF_MEMORY;
}

static void sb_worker_destroy(wi_backend_worker *w) {
    pthread_mutex_lock(&lock);
    live_workers--;
    pthread_mutex_unlock(&lock);
    free(w);
}

static wi_status fail(wi_error *err, wi_status st, const char *msg) {
    err->status = st;
    snprintf(err->message, sizeof err->message, "%s", msg);
    return st;
}

static wi_status sb_classify(wi_backend_worker *w, const void *image, size_t len,
                             const wi_classify_options *o, wi_class_score *out, int capacity,
                             int *out_count, wi_classify_timing *timing, wi_error *err) {
    char cmd[64] = "";
    if (len > 3)
        snprintf(cmd, sizeof cmd, "%.*s", (int)(len - 3 < 60 ? len - 3 : 60), (const char *)image + 3);
    int cls = -1;
    pthread_mutex_lock(&lock);
    running++;
    pthread_mutex_unlock(&lock);
    wi_status st = WI_OK;
    if (sscanf(cmd, "class=%d", &cls) == 1) {
    } else if (strncmp(cmd, "sleep=", 6) == 0) {
        int ms = atoi(cmd + 6);
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        cls = 1;
    } else if (strcmp(cmd, "block") == 0) {
        pthread_mutex_lock(&lock);
        blocked++;
        while (!released)
            pthread_cond_wait(&released_cond, &lock);
        blocked--;
        pthread_mutex_unlock(&lock);
        cls = 2;
    } else if (strcmp(cmd, "trap") == 0) {
        st = fail(err, WI_E_TRAP, "wasm trap: unreachable (sandbox rebuilt)");
    } else if (strcmp(cmd, "timeout") == 0) {
        st = fail(err, WI_E_TIMEOUT, "time budget of 100 ms exceeded");
    } else if (strcmp(cmd, "limit") == 0) {
        st = fail(err, WI_E_LIMIT, "image: 100000x100000 pixels is over the limit");
    } else {
        st = fail(err, WI_E_MALFORMED, "image: not a valid BMP");
    }
    if (st == WI_OK) {
        int n = o->top_k < capacity ? o->top_k : capacity;
        for (int i = 0; i < n; i++)
            out[i] = (wi_class_score){.index = (cls + i) % 1001, .prob = 0.75f / (float)(i + 1)};
        *out_count = n;
        if (timing)
            *timing = (wi_classify_timing){.decode_ms = 1, .preprocess_ms = 2, .infer_ms = 3};
    }
    pthread_mutex_lock(&lock);
    running--;
    pthread_mutex_unlock(&lock);
    return st;
}

const wi_backend_vtable scripted_backend = {
    .name = "scripted", .create = sb_create, .destroy = sb_destroy, .describe = sb_describe,
    .worker_create = sb_worker_create, .worker_destroy = sb_worker_destroy, .classify = sb_classify,
};

static int read_locked(int *v) {
    pthread_mutex_lock(&lock);
    int x = *v;
    pthread_mutex_unlock(&lock);
    return x;
}

int scripted_blocked(void) { return read_locked(&blocked); }
int scripted_running(void) { return read_locked(&running); }
int scripted_live_workers(void) { return read_locked(&live_workers); }

void scripted_release(void) {
    pthread_mutex_lock(&lock);
    released = 1;
    pthread_cond_broadcast(&released_cond);
    pthread_mutex_unlock(&lock);
}

void scripted_reset(void) {
    pthread_mutex_lock(&lock);
    released = 0;
    pthread_mutex_unlock(&lock);
}
