/*
 * clock.h - a monotonic clock in milliseconds, for timings (not public API; the CLI uses it).
 * clock_gettime(CLOCK_MONOTONIC) exists on Linux and in wasi-libc alike.
 */
#ifndef WI_CLASSIFY_CLOCK_H
#define WI_CLASSIFY_CLOCK_H

double wi_monotonic_ms(void);

#endif
