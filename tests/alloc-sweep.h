/*
 * alloc-sweep.h - allocation-failure sweeps (SQLite's approach), shared by the loaders' tests.
 *
 * A test linked with wi_add_alloc_sweep_test (tests/CMakeLists.txt) has the library's
 * malloc/calloc/realloc wrapped at link time (-Wl,--wrap), so the Nth call can be made to fail.
 * wi_test_alloc_sweep then, for N = 1, 2, ... until a load succeeds with nothing failing, loads
 * the model through `load`, creates a session and runs it: every failure must be a clean status
 * with a message, and nothing may leak (ASan's leak detector checks that in the sanitizer build).
 */
#ifndef WI_TESTS_ALLOC_SWEEP_H
#define WI_TESTS_ALLOC_SWEEP_H

#include "wasinfer.h"

typedef wi_status (*wi_test_load_fn)(void *ctx, wi_model **out, wi_error *err);

/* Runs the sweep with cmocka assertions; returns the first failure point from which load and
 * session succeed. Fails the test unless the sweep went through more than 30 allocations. */
long wi_test_alloc_sweep(wi_test_load_fn load, void *ctx);

#endif
