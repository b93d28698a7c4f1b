/*
 * The original's two Wasmtime experiments, against the native CLI on every .pb row of
 * expected.tsv, run from the data folder with relative paths as the original did:
 *   wasmtime run --dir=. build/wasm/wasinfer-cli.wasm classify --json ...   (the WASI command)
 *   wasinfer-wasmhost classify --json ...        (the C host, handle ABI)
 *   wasinfer-wasmhost infer ...                  (the C host, the original's infer_from_ptrs)
 * Same images, same classes in the same order with the same labels, probabilities within
 * 1e-4 (the kernels differ between x86 and wasm SIMD), and top-1 an accepted class.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sys/wait.h>

#include "wasmtime/wasmtime-test.h"

#define TOP 5
#define MAX_IMAGES 16

typedef struct result {
    char image[256];
    int count, index[TOP];
    char label[TOP][96];
    double prob[TOP];
} result;

static const char *g_native, *g_wasmhost, *g_wasmtime;
static char g_cli_wasm[4096], g_module[4096];

static const char *need_env(const char *name, const char *what) {
    const char *v = getenv(name);
    if (!v || !*v || access(v, X_OK) != 0) {
        fprintf(stderr, "%s missing: %s='%s' (%s)\n", what, name, v ? v : "", 
                strcmp(name, "WASINFER_WASMTIME_CLI") ? "build it with make" : "run scripts/install-wasmtime.sh");
        return NULL;
    }
    return v;
}

static int setup(void **state) {
    g_native = need_env("WASINFER_NATIVE_CLI", "native CLI");
    g_wasmhost = need_env("WASINFER_WASMHOST", "wasinfer-wasmhost");
    g_wasmtime = need_env("WASINFER_WASMTIME_CLI", "Wasmtime CLI");
    int ok = g_native && g_wasmhost && g_wasmtime &&
             wi_wt_wasm_path("wasinfer-cli.wasm", g_cli_wasm, sizeof g_cli_wasm) &&
             wi_wt_wasm_path("wasinfer.wasm", g_module, sizeof g_module);
    const char *data = getenv("WASINFER_DATA");
    if (ok && chdir(data && *data ? data : "../shared/data") != 0) {
        fprintf(stderr, "test data missing: cannot enter %s\n", data);
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* Pulls `"key": ` values out of one JSON line, in order: a tiny reader for the CLI's output. */
static const char *after_key(const char *p, const char *key) {
    const char *q = strstr(p, key);
    return q ? q + strlen(key) : NULL;
}

static int parse_line(const char *line, result *r) {
    memset(r, 0, sizeof *r);
    const char *p = after_key(line, "\"image\": \"");
    if (!p) return -1;
    size_t n = strcspn(p, "\"");
    snprintf(r->image, sizeof r->image, "%.*s", (int)n, p);
    while (r->count < TOP && (p = after_key(p, "\"index\": ")) != NULL) {
        int i = r->count++;
        r->index[i] = atoi(p);
        const char *l = after_key(p, "\"label\": ");
        if (l && *l == '"') snprintf(r->label[i], sizeof r->label[i], "%.*s", (int)strcspn(l + 1, "\""), l + 1);
        p = after_key(p, "\"prob\": ");
        if (!p) return -1;
        r->prob[i] = atof(p);
    }
    return r->count > 0 ? 0 : -1;
}

/* Runs `cmd` and parses its JSON lines; returns the number of results and the exit code. */
static int run_json(const char *cmd, result *out, int cap, int *exit_code) {
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (n < cap && parse_line(line, &out[n]) == 0) n++;
    }
    int status = pclose(f);
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return n;
}

static void compare(const char *who, const char *model, const result *got, int ng,
                    const result *want, int nw) {
    if (ng != nw) fail_msg("%s on %s: %d results, native %d", who, model, ng, nw);
    for (int i = 0; i < nw; i++) {
        assert_string_equal(got[i].image, want[i].image);
        assert_int_equal(got[i].count, want[i].count);
        for (int k = 0; k < want[i].count; k++) {
            if (got[i].index[k] != want[i].index[k] || strcmp(got[i].label[k], want[i].label[k]) ||
                fabs(got[i].prob[k] - want[i].prob[k]) > 1e-4) {
                fail_msg("%s on %s, %s rank %d: %d '%s' %.6f, native %d '%s' %.6f", who, model,
                         want[i].image, k, got[i].index[k], got[i].label[k], got[i].prob[k],
                         want[i].index[k], want[i].label[k], want[i].prob[k]);
            }
        }
    }
}

/* Calls fn(model, rows of that model, count) for each .pb model of expected.tsv. */
static void for_each_model(void (*fn)(const wi_wt_row *rows, int n)) {
    static wi_wt_row rows[64];
    int n = wi_wt_expected_pb_rows(rows, 64);
    assert_true(n > 0);
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && j - i < MAX_IMAGES && !strcmp(rows[j].model, rows[i].model)) j++;
        fn(&rows[i], j - i);
        i = j;
    }
}

static void image_args(const wi_wt_row *rows, int n, char *buf, size_t cap) {
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) used += (size_t)snprintf(buf + used, cap - used, " %s", rows[i].image);
}

static void check_classify_model(const wi_wt_row *rows, int n) {
    char images[4096], args[8192], cmd[16384];
    image_args(rows, n, images, sizeof images);
    snprintf(args, sizeof args, "classify --json --top %d --range %s --model %s --labels labels/imagenet_1001.txt%s",
             TOP, wi_wt_range_flag(rows[0].model), rows[0].model, images);
    result native[MAX_IMAGES], wasm[MAX_IMAGES];
    int code = 0;
    snprintf(cmd, sizeof cmd, "'%s' %s", g_native, args);
    int nn = run_json(cmd, native, MAX_IMAGES, &code);
    if (code != 0 || nn != n) fail_msg("native CLI: exit %d, %d results for %d images: %s", code, nn, n, cmd);
    for (int i = 0; i < n; i++) {
        if (!wi_wt_accepted(&rows[i], native[i].index[0])) {
            fail_msg("native CLI: %s on %s: top-1 %d not accepted", rows[i].image, rows[0].model, native[i].index[0]);
        }
    }
    snprintf(cmd, sizeof cmd, "'%s' run --dir=. '%s' %s", g_wasmtime, g_cli_wasm, args);
    int nw = run_json(cmd, wasm, MAX_IMAGES, &code);
    if (code != 0) fail_msg("wasmtime run: exit %d: %s", code, cmd);
    compare("wasmtime run wasinfer-cli.wasm", rows[0].model, wasm, nw, native, nn);
    snprintf(cmd, sizeof cmd, "'%s' %s --module '%s'", g_wasmhost, args, g_module);
    nw = run_json(cmd, wasm, MAX_IMAGES, &code);
    if (code != 0) fail_msg("wasinfer-wasmhost: exit %d: %s", code, cmd);
    compare("wasinfer-wasmhost classify", rows[0].model, wasm, nw, native, nn);
    /* with the service's epoch checks compiled in (and no budget): the same answers */
    snprintf(cmd, sizeof cmd, "'%s' %s --epochs --module '%s'", g_wasmhost, args, g_module);
    nw = run_json(cmd, wasm, MAX_IMAGES, &code);
    if (code != 0) fail_msg("wasinfer-wasmhost --epochs: exit %d: %s", code, cmd);
    compare("wasinfer-wasmhost classify --epochs", rows[0].model, wasm, nw, native, nn);
}

/* bench reports every step, with and without epoch checks. */
static void test_bench_reports_each_step(void **state) {
    const char *keys[] = {"module_compile_ms ", "module_cache_load_ms ", "instance_from_scratch_ms ",
                          "model_load_in_guest_ms ", "instance_from_snapshot_ms ", "classify_ms ",
                          "first_classify_after_restore_ms "};
    for (int epochs = 0; epochs <= 1; epochs++) {
        char cmd[8192], out[8192] = "";
        snprintf(cmd, sizeof cmd,
                 "'%s' bench --runs 2 %s--module '%s' --model models/tf/mobilenet_v2_1.0_224_frozen.pb "
                 "images/grace_hopper.jpg 2>&1",
                 g_wasmhost, epochs ? "--epochs " : "", g_module);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        size_t len = fread(out, 1, sizeof out - 1, f);
        out[len] = '\0';
        int status = pclose(f);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fail_msg("'%s': status %d: %s", cmd, status, out);
        assert_non_null(strstr(out, epochs ? "epoch_interruption on\n" : "epoch_interruption off\n"));
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if (!strstr(out, keys[k])) fail_msg("bench%s printed no '%s': %s", epochs ? " --epochs" : "", keys[k], out);
        assert_non_null(strstr(out, "top-1 653 ")); /* grace_hopper: military uniform */
    }
}

static void test_classify_matches_native(void **state) {
    for_each_model(check_classify_model);
}

/* infer_from_ptrs has the original's fixed preprocessing (bilinear, [-1,1]): the TF-slim
 * models. One label per line, "image: label" with several images. */
static void check_infer_model(const wi_wt_row *rows, int n) {
    if (wi_wt_range(rows[0].model) != 0) return;
    char images[4096], cmd[16384];
    image_args(rows, n, images, sizeof images);
    snprintf(cmd, sizeof cmd, "'%s' infer --module '%s' --model %s --labels labels/imagenet_1001.txt%s",
             g_wasmhost, g_module, rows[0].model, images);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[1024];
    int i = 0;
    while (fgets(line, sizeof line, f) && i < n) {
        line[strcspn(line, "\n")] = '\0';
        const char *label = n > 1 ? strstr(line, ": ") : NULL;
        label = label ? label + 2 : line;
        char native_cmd[8192];
        snprintf(native_cmd, sizeof native_cmd,
                 "'%s' classify --json --top 1 --model %s --labels labels/imagenet_1001.txt %s",
                 g_native, rows[0].model, rows[i].image);
        result want;
        int code = 0;
        assert_int_equal(run_json(native_cmd, &want, 1, &code), 1);
        if (strcmp(label, want.label[0]) != 0) {
            fail_msg("wasmhost infer on %s, %s: '%s', native '%s'", rows[0].model, rows[i].image, label, want.label[0]);
        }
        i++;
    }
    int status = pclose(f);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(i, n);
}

static void test_infer_matches_native(void **state) {
    for_each_model(check_infer_model);
}

/* Errors are one line on stderr and exit code 1, never a crash: a missing file, a garbage
 * model, a garbage image (the module's ABI checks, then the host's). */
static void test_host_errors_are_clean(void **state) {
    const char *cases[] = {
        "classify --model no-such-model.pb images/parrot.jpg",
        "classify --model labels/imagenet_1001.txt images/parrot.jpg",
        "classify --model models/tf/mobilenet_v1_0.5_160_frozen.pb labels/imagenet_1001.txt",
        "infer --model models/tf/mobilenet_v1_0.5_160_frozen.pb --labels labels/imagenet_1001.txt labels/imagenet_1001.txt",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[8192];
        snprintf(cmd, sizeof cmd, "'%s' %s --module '%s' 2>&1", g_wasmhost, cases[i], g_module);
        FILE *f = popen(cmd, "r");
        char out[2048] = "";
        size_t len = fread(out, 1, sizeof out - 1, f);
        out[len] = '\0';
        int status = pclose(f);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 1 || !strstr(out, "wasinfer-wasmhost: ")) {
            fail_msg("'%s': status %d, output '%s'", cases[i], status, out);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_matches_native),
        cmocka_unit_test(test_infer_matches_native),
        cmocka_unit_test(test_host_errors_are_clean),
        cmocka_unit_test(test_bench_reports_each_step),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
