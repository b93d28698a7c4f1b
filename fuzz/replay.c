/*
 * replay.c - runs a fuzz harness over stored inputs without libFuzzer.
 *
 *   replay-<target> DIR_OR_FILE...
 *
 * Every regular file of each directory (sorted by name, so failures reproduce in the same
 * order) and every file named directly is passed once to LLVMFuzzerTestOneInput. A crash,
 * sanitizer report or abort stops the run with the file's name printed just before. Exits 1
 * when an argument cannot be read or no input was found at all: an empty or missing corpus
 * must fail the test, not pass it silently.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify/read-file.h"
#include "fuzz.h"

enum { REPLAY_MAX_INPUT = 64 << 20 }; /* stored inputs are small; this only bounds a mistake */

static int run_file(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    wi_error err;
    if (wi_read_whole_file(path, REPLAY_MAX_INPUT, &data, &len, &err) != WI_OK) {
        fprintf(stderr, "replay: %s: %s\n", path, err.message);
        return -1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    /* An exact-size copy, so a sanitizer catches a harness reading one byte past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(data);
        fprintf(stderr, "replay: out of memory for %s\n", path);
        return -1;
    }
    if (len) memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Replays one directory; returns the number of inputs run, or -1 on an error. */
static long run_dir(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, by_name);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
        return -1;
    }
    long ran = 0;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        if (!failed && names[i]->d_name[0] != '.') {
            size_t plen = strlen(dir) + strlen(names[i]->d_name) + 2;
            char *path = malloc(plen);
            struct stat st;
            if (!path) {
                failed = 1;
            } else {
                snprintf(path, plen, "%s/%s", dir, names[i]->d_name);
                if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
                    if (run_file(path) != 0) failed = 1;
                    else ran++;
                }
                free(path);
            }
        }
        free(names[i]);
    }
    free(names);
    return failed ? -1 : ran;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
        long ran;
        if (S_ISDIR(st.st_mode)) {
            ran = run_dir(argv[i]);
        } else {
            ran = run_file(argv[i]) == 0 ? 1 : -1;
        }
        if (ran < 0) return 1;
        total += ran;
    }
    if (total == 0) {
        fprintf(stderr, "replay: no inputs found in the corpus (an empty corpus is a failure)\n");
        return 1;
    }
    fprintf(stderr, "replay: %ld inputs, no failures\n", total);
    return 0;
}
