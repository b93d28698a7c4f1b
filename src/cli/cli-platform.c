/*
 * cli-platform.c - the CLI's only OS-specific calls, with wasm32-wasi fallbacks.
 */
#include "cli/cli.h"

#if defined(__wasi__)
#include <unistd.h>

int cli_stderr_is_terminal(void) { return isatty(2); }

double cli_peak_rss_mb(void) { return -1.0; } /* WASI has no getrusage; the host knows */

#else
#include <sys/resource.h>
#include <unistd.h>

int cli_stderr_is_terminal(void) { return isatty(STDERR_FILENO); }

double cli_peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1.0;
#if defined(__APPLE__)
    return (double)ru.ru_maxrss / (1024.0 * 1024.0); /* bytes */
#else
    return (double)ru.ru_maxrss / 1024.0; /* kilobytes */
#endif
}
#endif
