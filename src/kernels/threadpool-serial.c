/* A serial stand-in for the thread pool: runs every item on the caller's thread.
 * Used by the wasm build (wasi-libc has no threads) until a pthreads pool replaces it
 * natively. */
#include "kernels.h"

wi_threadpool *wi_threadpool_create(int threads) { (void)threads; return NULL; }
void wi_threadpool_free(wi_threadpool *pool) { (void)pool; }
int wi_threadpool_size(const wi_threadpool *pool) { (void)pool; return 1; }
void wi_threadpool_parallel_for(wi_threadpool *pool, size_t n,
                                void (*fn)(void *ctx, size_t i), void *ctx) {
    (void)pool;
    for (size_t i = 0; i < n; i++) fn(ctx, i);
}
