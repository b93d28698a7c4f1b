/* The thread pool runs every index exactly once, with 1..4 threads, many times in a row
 * (catching lost wakeups as hangs), and frees cleanly. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "kernels.h"

typedef struct counts {
    atomic_int *hits;
    atomic_long sum;
} counts;

static void count_item(void *ctx, size_t i) {
    counts *c = ctx;
    atomic_fetch_add(&c->hits[i], 1);
    atomic_fetch_add(&c->sum, (long)i);
}

static void run_rounds(wi_threadpool *pool, int rounds) {
    static const size_t sizes[] = {0, 1, 2, 3, 7, 64, 1000};
    atomic_int *hits = calloc(1000, sizeof *hits);
    assert_non_null(hits);
    for (int r = 0; r < rounds; r++) {
        size_t n = sizes[(size_t)r % (sizeof sizes / sizeof sizes[0])];
        counts c = {.hits = hits};
        for (size_t i = 0; i < n; i++) atomic_store(&hits[i], 0);
        atomic_store(&c.sum, 0);
        wi_threadpool_parallel_for(pool, n, count_item, &c);
        for (size_t i = 0; i < n; i++) assert_int_equal(atomic_load(&hits[i]), 1);
        assert_int_equal(atomic_load(&c.sum), (long)(n * (n ? n - 1 : 0) / 2));
    }
    free(hits);
}

static void test_every_index_once(void **state) {
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        wi_threadpool *pool = wi_threadpool_create(threads);
        if (threads == 1) assert_null(pool); /* one thread: run on the caller */
        else assert_non_null(pool);
        assert_int_equal(wi_threadpool_size(pool), threads);
        run_rounds(pool, 2000);
        wi_threadpool_free(pool);
    }
}

/* Items slower than the workers' spin, so the sleep/wake paths run too. */
static void slow_item(void *ctx, size_t i) {
    counts *c = ctx;
    for (volatile int spin = 0; spin < 20000; spin++) {
    }
    atomic_fetch_add(&c->hits[i], 1);
}

static void test_sleep_and_wake(void **state) {
    (void)state;
    wi_threadpool *pool = wi_threadpool_create(3);
    assert_non_null(pool);
    atomic_int hits[16];
    for (int r = 0; r < 50; r++) {
        for (int i = 0; i < 16; i++) atomic_store(&hits[i], 0);
        counts c = {.hits = hits};
        wi_threadpool_parallel_for(pool, 16, slow_item, &c);
        for (int i = 0; i < 16; i++) assert_int_equal(atomic_load(&hits[i]), 1);
        /* an idle gap long enough for the workers to fall asleep */
        for (volatile long spin = 0; spin < (r % 5 == 0 ? 3000000 : 0); spin++) {
        }
    }
    wi_threadpool_free(pool);
}

static void test_create_free_many(void **state) {
    (void)state;
    for (int i = 0; i < 50; i++) {
        wi_threadpool *pool = wi_threadpool_create(2 + i % 3);
        assert_non_null(pool);
        if (i % 2) run_rounds(pool, 7);
        wi_threadpool_free(pool);
    }
    wi_threadpool_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_index_once),
        cmocka_unit_test(test_sleep_and_wake),
        cmocka_unit_test(test_create_free_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
