/*
 * The handle ABI: a model is loaded once into a handle, then classified with or run on raw
 * tensors any number of times. A handle owns its wi_model and one wi_session (the module is
 * single-threaded, so one session per model is all it can use).
 *
 * Handles are (generation << 12 | slot + 1): a freed handle is refused even after its slot
 * is reused, so a host that frees twice or keeps a stale handle gets an error, not someone
 * else's model.
 */
#include <stdlib.h>
#include <string.h>
#include "wasm/abi.h"

#define WI_ABI_MAX_MODELS 4095 /* slots: 12 bits of the handle */
#define WI_ABI_INFO_HEADER_BYTES 44

typedef struct wi_abi_slot {
    wi_abi_model entry;
    uint32_t generation; /* bumped on free; 0 never used */
    int live;
} wi_abi_slot;

static wi_abi_slot *g_slots;
static int g_slot_count;

static int32_t make_handle(int slot, uint32_t generation) {
    return (int32_t)(((generation & 0x7FFFFu) << 12) | (uint32_t)(slot + 1));
}

static int handle_slot(int32_t handle) {
    if (handle <= 0) return -1;
    int slot = (int)(handle & 0xFFF) - 1;
    if (slot < 0 || slot >= g_slot_count || !g_slots[slot].live) return -1;
    if (make_handle(slot, g_slots[slot].generation) != handle) return -1;
    return slot;
}

static int find_free_slot(void) {
    for (int i = 0; i < g_slot_count; i++)
        if (!g_slots[i].live) return i;
    if (g_slot_count == WI_ABI_MAX_MODELS) return -1;
    wi_abi_slot *grown = realloc(g_slots, (size_t)(g_slot_count + 1) * sizeof *grown);
    if (!grown) return -1;
    g_slots = grown;
    g_slots[g_slot_count] = (wi_abi_slot){{NULL, NULL}, 0, 0};
    return g_slot_count++;
}

int32_t wi_abi_model_open(const void *bytes, size_t len) {
    wi_error err;
    wi_model *model = NULL;
    wi_session *session = NULL;
    wi_status status = wi_model_load(bytes, len, NULL, &model, &err);
    if (status != WI_OK) {
        wi_abi_fail_status("model_load", status, &err);
        return 0;
    }
    status = wi_session_create(model, NULL, &session, &err);
    if (status != WI_OK) {
        wi_abi_fail_status("model_load: session", status, &err);
        wi_model_free(model);
        return 0;
    }
    int slot = find_free_slot();
    if (slot < 0) {
        wi_abi_fail_code(WI_E_LIMIT, "model_load: no free handle (at most %d models at once)", WI_ABI_MAX_MODELS);
        wi_session_free(session);
        wi_model_free(model);
        return 0;
    }
    wi_abi_slot *s = &g_slots[slot];
    s->entry.model = model;
    s->entry.session = session;
    s->generation = s->generation % 0x7FFFFu + 1;
    s->live = 1;
    return make_handle(slot, s->generation);
}

void wi_abi_model_close(int32_t handle) {
    int slot = handle_slot(handle);
    if (slot < 0) return;
    wi_abi_slot *s = &g_slots[slot];
    wi_session_free(s->entry.session);
    wi_model_free(s->entry.model);
    s->entry = (wi_abi_model){NULL, NULL};
    s->live = 0;
}

wi_abi_model *wi_abi_model_get(int32_t handle) {
    int slot = handle_slot(handle);
    if (slot < 0) {
        wi_abi_fail("model handle %d is not live", (int)handle);
        return NULL;
    }
    return &g_slots[slot].entry;
}

int wi_abi_classify_into(wi_abi_model *m, const void *image, size_t image_len,
                         const wi_classify_options *options, wi_class_score *out, int capacity) {
    wi_error err;
    int count = 0;
    wi_status status = wi_classify(m->session, image, image_len, options, out, capacity, &count,
                                   NULL, &err);
    if (status != WI_OK) return wi_abi_fail_status("classify", status, &err);
    return count;
}

/* ---- exports ---- */

/* Loads a model from [ptr, ptr+len) (copied; the caller keeps and frees its buffer).
 * Returns a handle > 0, or 0 with last_error() set. */
WI_ABI_EXPORT("model_load") int32_t wi_wasm_model_load(uint32_t ptr, uint32_t len) {
    wi_abi_clear_error();
    if (wi_abi_check_input("model_load: model bytes", ptr, len) != 0) return 0;
    return wi_abi_model_open((const void *)(uintptr_t)ptr, len);
}

/* Frees a handle's model and session; an unknown handle is an error in last_error(). */
WI_ABI_EXPORT("model_free") void wi_wasm_model_free(int32_t handle) {
    wi_abi_clear_error();
    if (handle_slot(handle) < 0) {
        wi_abi_fail("model_free: model handle %d is not live", (int)handle);
        return;
    }
    wi_abi_model_close(handle);
}

/* Decodes the image at [img_ptr, +img_len), resizes it to the model's input with `filter`
 * (0 bilinear, 1 nearest, 2 bicubic), scales pixels to `range` (0 [-1,1], 1 [0,1], 2 [0,255]),
 * runs the model and writes the best min(top_k, out_capacity) classes to out_ptr as pairs
 * {i32 index, f32 prob}, best first. Returns the number of pairs, or -1. */
WI_ABI_EXPORT("classify")
int32_t wi_wasm_classify(int32_t handle, uint32_t img_ptr, uint32_t img_len, int32_t top_k,
                         int32_t range, int32_t filter, uint32_t out_ptr, int32_t out_capacity) {
    wi_abi_clear_error();
    wi_abi_model *m = wi_abi_model_get(handle);
    if (!m) return -1;
    if (wi_abi_check_input("classify: image", img_ptr, img_len) != 0) return -1;
    if (top_k <= 0) return wi_abi_fail("classify: top_k %d must be > 0", (int)top_k);
    if (out_capacity <= 0) return wi_abi_fail("classify: out_capacity %d must be > 0", (int)out_capacity);
    if (range < WI_RANGE_MINUS1_1 || range > WI_RANGE_0_255)
        return wi_abi_fail("classify: range %d is not 0 ([-1,1]), 1 ([0,1]) or 2 ([0,255])", (int)range);
    if (filter < WI_RESIZE_BILINEAR || filter > WI_RESIZE_BICUBIC)
        return wi_abi_fail("classify: filter %d is not 0 (bilinear), 1 (nearest) or 2 (bicubic)", (int)filter);
    int capacity = top_k < out_capacity ? top_k : out_capacity;
    if (wi_abi_check_output("classify: out", out_ptr, (uint64_t)capacity * 8u) != 0) return -1;

    wi_classify_options options;
    wi_classify_options_init(&options);
    options.top_k = capacity;
    options.preprocess.range = (wi_pixel_range)range;
    options.preprocess.filter = (wi_resize_filter)filter;
    wi_class_score *scores = malloc((size_t)capacity * sizeof *scores);
    if (!scores) return wi_abi_fail_code(WI_E_OUT_OF_MEMORY, "classify: out of memory for %d scores", capacity);
    int count = wi_abi_classify_into(m, (const void *)(uintptr_t)img_ptr, img_len, &options,
                                     scores, capacity);
    /* Written field by field: the host's buffer has no alignment promise. */
    uint8_t *out = (uint8_t *)(uintptr_t)out_ptr;
    for (int i = 0; i < count; i++) {
        int32_t index = scores[i].index;
        memcpy(out + 8 * i, &index, 4);
        memcpy(out + 8 * i + 4, &scores[i].prob, 4);
    }
    free(scores);
    return count;
}

/* Raw tensors: copies in_count floats from in_ptr into input 0, runs, and copies output 0 to
 * out_ptr (out_capacity floats). Returns the output's element count, or -1. */
WI_ABI_EXPORT("run")
int32_t wi_wasm_run(int32_t handle, uint32_t in_ptr, int32_t in_count, uint32_t out_ptr,
                    int32_t out_capacity) {
    wi_abi_clear_error();
    wi_abi_model *m = wi_abi_model_get(handle);
    if (!m) return -1;
    size_t want = 0;
    float *input = wi_session_input_buffer(m->session, 0, &want);
    if (!input) return wi_abi_fail("run: the model has no input 0");
    if (in_count <= 0 || (size_t)in_count != want)
        return wi_abi_fail("run: input 0 takes %zu floats, got %d", want, (int)in_count);
    if (wi_abi_check_input("run: input", in_ptr, (uint32_t)in_count * 4u) != 0) return -1;
    memcpy(input, (const void *)(uintptr_t)in_ptr, want * sizeof(float));
    wi_status status = wi_session_run(m->session);
    if (status != WI_OK) return wi_abi_fail_code(status, "run: %s", wi_session_errmsg(m->session));
    size_t got = 0;
    const float *output = wi_session_output(m->session, 0, &got);
    if (!output) return wi_abi_fail_code(WI_E_INTERNAL, "run: the model produced no output 0");
    if (out_capacity < 0 || (size_t)out_capacity < got)
        return wi_abi_fail("run: output 0 has %zu floats, out_capacity is %d", got, (int)out_capacity);
    if (wi_abi_check_output("run: out", out_ptr, (uint64_t)got * 4u) != 0) return -1;
    memcpy((void *)(uintptr_t)out_ptr, output, got * sizeof(float));
    return (int32_t)got;
}

WI_ABI_EXPORT("model_input_count") int32_t wi_wasm_model_input_count(int32_t handle) {
    wi_abi_clear_error();
    wi_abi_model *m = wi_abi_model_get(handle);
    return m ? wi_model_input_count(m->model) : -1;
}

WI_ABI_EXPORT("model_output_count") int32_t wi_wasm_model_output_count(int32_t handle) {
    wi_abi_clear_error();
    wi_abi_model *m = wi_abi_model_get(handle);
    return m ? wi_model_output_count(m->model) : -1;
}

/* Writes one tensor's description to out_ptr:
 *   +0 i32 dtype (wi_dtype: 1 float32, 2 int32, 3 int64, 4 uint8, 5 int8)
 *   +4 i32 rank   +8 i32 dims[8] (unused ones 0)   +40 i32 name_len   +44 name bytes, NUL
 * The name is cut to fit out_capacity (which must be >= 45). Returns the bytes written. */
static int32_t write_tensor_info(const char *what, const wi_tensor_info *info, uint32_t out_ptr,
                                 int32_t out_capacity) {
    if (out_capacity <= WI_ABI_INFO_HEADER_BYTES)
        return wi_abi_fail("%s: out_capacity %d must be > %d", what, (int)out_capacity,
                           WI_ABI_INFO_HEADER_BYTES);
    if (wi_abi_check_output(what, out_ptr, (uint64_t)out_capacity) != 0) return -1;
    int32_t header[WI_ABI_INFO_HEADER_BYTES / 4] = {0};
    header[0] = (int32_t)info->dtype;
    header[1] = info->rank;
    for (int i = 0; i < info->rank && i < WI_MAX_RANK; i++)
        header[2 + i] = info->dims[i] > INT32_MAX ? -1 : (int32_t)info->dims[i];
    const char *name = info->name ? info->name : "";
    size_t name_len = strlen(name);
    size_t room = (size_t)out_capacity - WI_ABI_INFO_HEADER_BYTES - 1;
    if (name_len > room) name_len = room;
    header[10] = (int32_t)name_len;
    uint8_t *out = (uint8_t *)(uintptr_t)out_ptr;
    memcpy(out, header, sizeof header);
    memcpy(out + WI_ABI_INFO_HEADER_BYTES, name, name_len);
    out[WI_ABI_INFO_HEADER_BYTES + name_len] = '\0';
    return (int32_t)(WI_ABI_INFO_HEADER_BYTES + name_len + 1);
}

/* model_input_info and model_output_info: the same but for which list of tensors they read. */
static int32_t tensor_info_export(const char *what,
                                  wi_status (*get)(const wi_model *, int, wi_tensor_info *),
                                  int32_t handle, int32_t index, uint32_t out_ptr,
                                  int32_t out_capacity) {
    wi_abi_clear_error();
    wi_abi_model *m = wi_abi_model_get(handle);
    if (!m) return -1;
    wi_tensor_info info;
    if (get(m->model, index, &info) != WI_OK) return wi_abi_fail("%s: no tensor %d", what, (int)index);
    return write_tensor_info(what, &info, out_ptr, out_capacity);
}

WI_ABI_EXPORT("model_input_info")
int32_t wi_wasm_model_input_info(int32_t handle, int32_t index, uint32_t out_ptr, int32_t out_capacity) {
    return tensor_info_export("model_input_info", wi_model_input_info, handle, index, out_ptr, out_capacity);
}

WI_ABI_EXPORT("model_output_info")
int32_t wi_wasm_model_output_info(int32_t handle, int32_t index, uint32_t out_ptr, int32_t out_capacity) {
    return tensor_info_export("model_output_info", wi_model_output_info, handle, index, out_ptr, out_capacity);
}
