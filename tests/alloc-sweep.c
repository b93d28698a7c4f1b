/* Allocation-failure sweeps: see alloc-sweep.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include "alloc-sweep.h"

static long fail_at = -1, calls = 0; /* fail_at < 0: never fail */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static int should_fail(void) { return fail_at >= 0 && ++calls == fail_at; }
void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

long wi_test_alloc_sweep(wi_test_load_fn load, void *ctx) {
    wi_model *m = NULL;
    wi_error err;
    /* the model is valid: a load without failures works */
    if (load(ctx, &m, &err) != WI_OK) fail_msg("base model: %s", err.message);
    wi_model_free(m);
    long n;
    int ok = 0;
    for (n = 1; n < 5000 && !ok; n++) {
        m = NULL;
        calls = 0;
        fail_at = n;
        wi_status st = load(ctx, &m, &err);
        wi_session *s = NULL;
        if (st == WI_OK) st = wi_session_create(m, NULL, &s, &err);
        fail_at = -1;
        if (st == WI_OK) {
            ok = calls < n; /* nothing failed: the sweep is over */
            assert_int_equal(wi_session_run(s), WI_OK);
        } else {
            assert_null(s);
            assert_true(err.message[0] != '\0');
        }
        wi_session_free(s);
        wi_model_free(m);
    }
    assert_true(ok);
    printf("allocation sweep: load and session succeed from failure point %ld on\n", n - 1);
    assert_true(n > 30); /* the sweep really went through the loader */
    return n - 1;
}
