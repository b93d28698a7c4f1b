/* The infer and classify commands: the original host's flow and the handle ABI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hosts/wasmhost/output.h"
#include "hosts/wasmhost/wasmhost.h"

static int fail(const wi_error *err) {
    fprintf(stderr, "wasinfer-wasmhost: %s\n", err->message);
    return 1;
}

/* The original flow, per image: alloc + copy the model, alloc + copy the image, then
 * infer_from_ptrs, which takes ownership of both blocks and returns argmax + 1. */
static wi_status infer_one(wi_guest *g, const uint8_t *model, size_t model_len,
                           const uint8_t *image, size_t image_len, int *row, wi_error *err) {
    uint32_t mp = 0, ip = 0;
    wi_status st = wi_guest_put(g, model, model_len, &mp, err);
    if (st != WI_OK) return st;
    st = wi_guest_put(g, image, image_len, &ip, err);
    if (st != WI_OK) {
        wi_guest_dealloc(g, mp, model_len);
        return st;
    }
    int32_t args[4] = {(int32_t)mp, (int32_t)model_len, (int32_t)ip, (int32_t)image_len}, r = 0;
    st = wi_guest_call(g, WI_GX_INFER_FROM_PTRS, args, 4, &r, err);
    if (st != WI_OK) return st;
    if (r <= 0) return wi_guest_fail(g, WI_E_MALFORMED, "infer_from_ptrs", err);
    *row = r - 1;
    return WI_OK;
}

int wi_host_cmd_infer(const wi_host_args *a) {
    wi_error err = {0};
    wi_wasm_engine *engine = NULL;
    wi_guest *guest = NULL;
    wi_labels *labels = NULL;
    uint8_t *model = NULL;
    size_t model_len = 0;
    int rc = 1;
    wi_guest_options go = {0, 1};
    if (wi_labels_load_file(a->labels_path, &labels, &err) != WI_OK ||
        wi_host_read_file(a->model_path, &model, &model_len, &err) != WI_OK ||
        wi_host_open_engine(a, &engine, &err) != WI_OK ||
        wi_guest_create(engine, &go, &guest, &err) != WI_OK) {
        rc = fail(&err);
        goto done;
    }
    rc = 0;
    for (int i = 0; i < a->image_count; i++) {
        uint8_t *image = NULL;
        size_t image_len = 0;
        int row = -1;
        wi_status st = wi_host_read_file(a->images[i], &image, &image_len, &err);
        if (st == WI_OK) st = infer_one(guest, model, model_len, image, image_len, &row, &err);
        free(image);
        if (st != WI_OK) {
            fprintf(stderr, "wasinfer-wasmhost: %s: %s\n", a->images[i], err.message);
            rc = 1;
            if (st == WI_E_TRAP || st == WI_E_TIMEOUT) break; /* the instance is unusable */
            continue;
        }
        const char *label = wi_labels_get(labels, row);
        if (a->image_count > 1) printf("%s: ", a->images[i]);
        printf("%s\n", label ? label : "(row outside the labels file)");
    }
done:
    wi_guest_free(guest);
    wi_wasm_engine_free(engine);
    wi_labels_free(labels);
    free(model);
    return rc;
}


int wi_host_cmd_classify(const wi_host_args *a) {
    wi_error err = {0};
    wi_wasm_engine *engine = NULL;
    wi_guest *guest = NULL;
    wi_labels *labels = NULL;
    uint8_t *model = NULL;
    size_t model_len = 0;
    int32_t handle = 0;
    wi_class_score *scores = calloc((size_t)a->top_k, sizeof *scores);
    wi_guest_options go = {0, 1};
    int rc = 1;
    if (!scores) {
        fprintf(stderr, "wasinfer-wasmhost: out of memory\n");
        return 1;
    }
    if ((a->labels_path && wi_labels_load_file(a->labels_path, &labels, &err) != WI_OK) ||
        wi_host_read_file(a->model_path, &model, &model_len, &err) != WI_OK ||
        wi_host_open_engine(a, &engine, &err) != WI_OK ||
        wi_guest_create(engine, &go, &guest, &err) != WI_OK) {
        rc = fail(&err);
        goto done;
    }
    double t0 = wi_host_now_ms();
    if (wi_guest_model_load(guest, model, model_len, &handle, &err) != WI_OK) {
        fprintf(stderr, "wasinfer-wasmhost: %s: %s\n", a->model_path, err.message);
        goto done;
    }
    double load_ms = wi_host_now_ms() - t0;
    wi_classify_options opts;
    wi_classify_options_init(&opts);
    opts.top_k = a->top_k;
    opts.preprocess.range = (wi_pixel_range)a->range;
    opts.preprocess.filter = (wi_resize_filter)a->filter;
    wi_host_output out;
    wi_host_output_begin(&out, a->json, labels, a->model_path, load_ms);
    rc = 0;
    for (int i = 0; i < a->image_count; i++) {
        uint8_t *image = NULL;
        size_t image_len = 0;
        int count = 0;
        double t1 = 0;
        wi_status st = wi_host_read_file(a->images[i], &image, &image_len, &err);
        if (st == WI_OK) {
            t1 = wi_host_now_ms();
            st = wi_guest_classify(guest, handle, image, image_len, &opts, scores, a->top_k,
                                   &count, &err);
        }
        free(image);
        if (st != WI_OK) {
            wi_host_output_error(&out, a->images[i], &err);
            rc = 1;
            if (st == WI_E_TRAP || st == WI_E_TIMEOUT) break; /* the instance is unusable */
            continue;
        }
        wi_host_output_result(&out, a->images[i], scores, count, wi_host_now_ms() - t1);
    }
    wi_host_output_end(&out);
done:
    wi_guest_free(guest);
    wi_wasm_engine_free(engine);
    wi_labels_free(labels);
    free(model);
    free(scores);
    return rc;
}
