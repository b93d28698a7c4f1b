/*
 * wasinfer.h - the public API of wasinfer, a neural-network inference engine in C11
 * that runs the same trained model natively and inside WebAssembly (wasm32-wasi).
 *
 * This header is the manual. Usage:
 *
 *     wi_error err;
 *     wi_model *model = NULL;
 *     if (wi_model_load_file("mobilenet_v2_1.0_224_frozen.pb", NULL, &model, &err) != WI_OK) {
 *         fprintf(stderr, "%s\n", err.message);      // "tf: node 'x': unsupported op 'Foo'"
 *         return 1;
 *     }
 *     wi_session *session = NULL;
 *     if (wi_session_create(model, NULL, &session, &err) != WI_OK) { ... }
 *
 *     wi_classify_options opts;
 *     wi_classify_options_init(&opts);                  // top 5, bilinear, range [-1,1]
 *     wi_class_score top[5]; int n = 0;
 *     if (wi_classify(session, jpeg_bytes, jpeg_len, &opts, top, 5, &n, NULL, &err) == WI_OK)
 *         printf("%d %.3f\n", top[0].index, top[0].prob);
 *
 *     wi_session_free(session);
 *     wi_model_free(model);
 *
 * Design, in short:
 * - A wi_model is parsed, optimized and has its weights packed once; it is immutable after
 *   wi_model_load returns and may be shared by any number of threads.
 * - A wi_session is one thread's scratch arena over a model (planned at create time; running
 *   never allocates). Use one session per thread.
 * - Every function that can fail returns a wi_status. Functions that create objects take an
 *   optional wi_error* that receives the status and a message naming what is wrong
 *   ("tf: node 'MobilenetV2/Conv/Conv2D': unsupported padding 'EXPLICIT'"). A session keeps the
 *   first error of its last call, readable with wi_session_errmsg.
 * - Nothing a file, image or request can reach aborts the process: bad input is an error.
 * - Ownership: the caller owns every buffer it passes in; the library copies what it keeps.
 *   Pointers the library returns are borrowed and valid for the lifetime stated at each function.
 */
#ifndef WASINFER_H
#define WASINFER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WI_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------------------------ */
/* Status and errors                                                                          */

typedef enum wi_status {
    WI_OK = 0,
    WI_E_INVALID_ARGUMENT = 1, /* a NULL pointer, a zero length, a bad option value          */
    WI_E_OUT_OF_MEMORY = 2,    /* an allocation failed                                       */
    WI_E_MALFORMED = 3,        /* the bytes are not a valid model / image / request          */
    WI_E_UNSUPPORTED = 4,      /* valid, but uses an op, attribute or feature we do not run  */
    WI_E_LIMIT = 5,            /* exceeds a limit: model size, rank, elements, image pixels  */
    WI_E_NOT_FOUND = 6,        /* a named node, tensor or file does not exist                */
    WI_E_IO = 7,               /* reading a file failed                                      */
    WI_E_STATE = 8,            /* the object is in a state that refuses this call            */
    WI_E_INTERNAL = 9,         /* a bug in wasinfer: please report it                        */
    WI_E_TIMEOUT = 10,         /* a time budget ran out (sandboxed backends, URL fetches)    */
    WI_E_TRAP = 11             /* sandboxed code trapped; the sandbox was rebuilt            */
} wi_status;

/* A short, static, English name for a status ("malformed input"). Never NULL. */
const char *wi_status_string(wi_status status);

#define WI_ERROR_MESSAGE_MAX 512
typedef struct wi_error {
    wi_status status;
    char message[WI_ERROR_MESSAGE_MAX]; /* NUL-terminated; "" when status == WI_OK */
} wi_error;

/* ------------------------------------------------------------------------------------------ */
/* Tensors                                                                                    */

typedef enum wi_dtype {
    WI_DTYPE_INVALID = 0,
    WI_DTYPE_FLOAT32 = 1,
    WI_DTYPE_INT32 = 2,
    WI_DTYPE_INT64 = 3,
    WI_DTYPE_UINT8 = 4,
    WI_DTYPE_INT8 = 5
} wi_dtype;

const char *wi_dtype_name(wi_dtype dtype); /* "float32", ...; never NULL */

#define WI_MAX_RANK 8

typedef struct wi_tensor_info {
    const char *name; /* borrowed from the model; valid until wi_model_free */
    wi_dtype dtype;
    int rank;
    int64_t dims[WI_MAX_RANK]; /* an unknown batch dimension is resolved to 1 at load */
} wi_tensor_info;

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                     */

typedef struct wi_model wi_model;

typedef enum wi_format {
    WI_FORMAT_AUTO = 0,        /* detect from the bytes */
    WI_FORMAT_TF_GRAPHDEF = 1, /* TensorFlow frozen GraphDef (.pb) */
    WI_FORMAT_TFLITE = 2,      /* TensorFlow Lite flatbuffer (.tflite), float or quantized */
    WI_FORMAT_TFJS = 3,        /* TensorFlow.js graph model (model.json + weight shards) */
    WI_FORMAT_ONNX = 4         /* ONNX ModelProto (.onnx) */
} wi_format;

const char *wi_format_name(wi_format format); /* "tf-graphdef", ... */

typedef struct wi_model_options {
    wi_format format;        /* WI_FORMAT_AUTO by default                                     */
    const char *input_name;  /* node name of the input; NULL: the graph's single Placeholder  */
    const char *output_name; /* node name of the output; NULL: the graph's single sink        */
    size_t max_model_bytes;  /* refuse larger models (WI_E_LIMIT); default 1 GiB              */
    int64_t max_elements;    /* refuse any tensor with more elements; default 2^28            */
} wi_model_options;

void wi_model_options_init(wi_model_options *options);

/* Parses, checks and optimizes a model from memory. `bytes` is only read during the call.
 * On success *out_model is a new model the caller frees with wi_model_free; on failure it
 * is NULL and `err` (if not NULL) says what is wrong. `options` may be NULL for defaults. */
wi_status wi_model_load(const void *bytes, size_t len, const wi_model_options *options,
                        wi_model **out_model, wi_error *err);

/* Same, reading the file at `path` first (WI_E_NOT_FOUND if it does not exist, WI_E_IO if it
 * cannot be read). A TF.js model.json also reads the weight shards its manifest names, from
 * the same directory (names with '/', '\' or ".." are refused). */
wi_status wi_model_load_file(const char *path, const wi_model_options *options,
                             wi_model **out_model, wi_error *err);

/* A TensorFlow.js graph model from memory: model.json's bytes and `weights`, every weight
 * shard of its manifest concatenated in manifest order (the wasm build has no files).
 * `weights` may be NULL when weights_len is 0. Both buffers are only read during the call.
 * Shards shorter than the manifest describes fail with WI_E_MALFORMED naming the first
 * weight that does not fit. options->format is ignored. */
wi_status wi_model_load_tfjs(const void *model_json, size_t json_len, const void *weights,
                             size_t weights_len, const wi_model_options *options,
                             wi_model **out_model, wi_error *err);

void wi_model_free(wi_model *model); /* accepts NULL */

wi_format wi_model_format(const wi_model *model);
int wi_model_input_count(const wi_model *model);
int wi_model_output_count(const wi_model *model);
/* Fills *info for input/output `index`; WI_E_INVALID_ARGUMENT if out of range. */
wi_status wi_model_input_info(const wi_model *model, int index, wi_tensor_info *info);
wi_status wi_model_output_info(const wi_model *model, int index, wi_tensor_info *info);

/* Non-zero when output 0 already holds probabilities (the graph ends in a Softmax), so a
 * classifier must not apply softmax again. */
int wi_model_output_is_probabilities(const wi_model *model);

/* Non-zero when input 0 is an NCHW image [1,C,H,W] (an ONNX image model) rather than the
 * NHWC [1,H,W,C] of TensorFlow models; wi_model_input_info reports the dims as the file
 * says. wi_classify lays its pixels out accordingly. */
int wi_model_input_is_nchw(const wi_model *model);

typedef struct wi_model_stats {
    int64_t parameters;    /* scalar weights in the optimized graph                */
    int64_t macs;          /* multiply-accumulates of one inference                */
    size_t arena_bytes;    /* planned activation memory of one session             */
    size_t weight_bytes;   /* bytes of constants and packed weights                */
    int node_count;        /* nodes after optimization                             */
    int source_node_count; /* nodes in the file                                    */
} wi_model_stats;

void wi_model_get_stats(const wi_model *model, wi_model_stats *stats);

/* The op histogram after optimization: calls `fn` once per distinct op kind, in a stable
 * order, with the op's name ("Conv2D+Relu6", "DepthwiseConv2d", ...) and its count. */
void wi_model_op_histogram(const wi_model *model,
                           void (*fn)(const char *op_name, int count, void *user), void *user);

/* ------------------------------------------------------------------------------------------ */
/* Sessions                                                                                   */

typedef struct wi_session wi_session;

typedef struct wi_session_options {
    int threads; /* worker threads for one inference; 1 (default) runs on the caller's thread */
} wi_session_options;

void wi_session_options_init(wi_session_options *options);

/* Creates a session over `model`, which must outlive it. */
wi_status wi_session_create(const wi_model *model, const wi_session_options *options,
                            wi_session **out_session, wi_error *err);
void wi_session_free(wi_session *session); /* accepts NULL */

const wi_model *wi_session_model(const wi_session *session);

/* Copies `count` floats into input `index`; count must equal the input's element count. */
wi_status wi_session_set_input(wi_session *session, int index, const float *data, size_t count);

/* Borrowed pointer to input `index`'s buffer (element count in *count), to fill in place.
 * Valid until the session is freed. NULL on a bad index. */
float *wi_session_input_buffer(wi_session *session, int index, size_t *count);

/* Runs one inference. Never allocates. */
wi_status wi_session_run(wi_session *session);

/* Borrowed pointer to output `index` after a successful run (element count in *count);
 * valid until the next run or free. NULL on a bad index or before a successful run. */
const float *wi_session_output(const wi_session *session, int index, size_t *count);

/* The message of the last failed call on this session ("" if none). */
const char *wi_session_errmsg(const wi_session *session);

/* Per-node timing, to see where a model spends its time (`wasinfer bench --profile`): while
 * profiling is on, every run adds each node's wall time to that node's total. Off by default
 * (it reads the clock twice per node); turning it on resets the totals. WI_E_OUT_OF_MEMORY if
 * the totals cannot be allocated. */
wi_status wi_session_set_profiling(wi_session *session, int enabled);

typedef struct wi_node_profile {
    const char *name;  /* the node's name in the model ("MobilenetV2/Conv/Conv2D")        */
    const char *kind;  /* what it runs after fusion ("Conv2D+BatchNorm+Relu6")              */
    double total_ms;   /* wall time summed over `runs` runs                                */
    int64_t runs;
} wi_node_profile;

/* The number of nodes of the optimized graph, in run order, or 0 when profiling is off; with
 * `out`, fills min(count, cap) entries. The strings live as long as the model. */
int wi_session_profile(const wi_session *session, wi_node_profile *out, int cap);

/* ------------------------------------------------------------------------------------------ */
/* Images                                                                                     */

typedef struct wi_image {
    int width, height;
    int channels;    /* always 3 (RGB) after wi_image_decode */
    uint8_t *pixels; /* [height, width, channels], owned; release with wi_image_free */
} wi_image;

#define WI_DEFAULT_MAX_PIXELS (64u * 1024u * 1024u)

/* Decodes JPEG (baseline, progressive), PNG (8/16-bit, palette, grey, alpha, interlaced),
 * BMP or GIF (first frame) from memory into RGB8. Images with more than `max_pixels`
 * pixels (0: WI_DEFAULT_MAX_PIXELS) are refused with WI_E_LIMIT before decoding. */
wi_status wi_image_decode(const void *bytes, size_t len, size_t max_pixels, wi_image *out,
                          wi_error *err);
void wi_image_free(wi_image *image); /* accepts NULL and zeroed images */

typedef enum wi_resize_filter {
    WI_RESIZE_BILINEAR = 0, /* triangle filter that antialiases when shrinking (PIL's BILINEAR) */
    WI_RESIZE_NEAREST = 1,
    WI_RESIZE_BICUBIC = 2
} wi_resize_filter;

typedef enum wi_pixel_range {
    WI_RANGE_MINUS1_1 = 0, /* x/127.5 - 1: what MobileNets are trained on (default) */
    WI_RANGE_0_1 = 1,      /* x/255                                                  */
    WI_RANGE_0_255 = 2,    /* x                                                      */
    WI_RANGE_MEAN_STD = 3  /* (x/255 - mean[c]) / std[c]                             */
} wi_pixel_range;

typedef struct wi_preprocess_options {
    wi_resize_filter filter;
    wi_pixel_range range;
    float mean[3], std[3]; /* used by WI_RANGE_MEAN_STD */
} wi_preprocess_options;

/* Resizes the whole image (no crop) to width x height and scales it into `dst`,
 * float32 [height, width, 3] NHWC, RGB order. */
wi_status wi_image_to_tensor(const wi_image *image, int width, int height,
                             const wi_preprocess_options *options, float *dst, wi_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Classification: decode, preprocess, run, top-k                                             */

typedef struct wi_class_score {
    int index;  /* 0-based row of the labels file */
    float prob; /* probability (softmax applied only if the model outputs logits) */
} wi_class_score;

/* The k best of `n` scores, best first, ties by lower index. With `apply_softmax` the scores
 * are logits and the probabilities are softmax(scores). Returns the number written (min(k,n)). */
int wi_top_k(const float *scores, size_t n, int apply_softmax, int k, wi_class_score *out);

typedef struct wi_classify_options {
    int top_k;                        /* default 5 */
    wi_preprocess_options preprocess; /* default bilinear, [-1,1] */
    size_t max_pixels;                /* default WI_DEFAULT_MAX_PIXELS */
} wi_classify_options;

void wi_classify_options_init(wi_classify_options *options);

typedef struct wi_classify_timing {
    double decode_ms, preprocess_ms, infer_ms;
} wi_classify_timing;

/* Decodes `image_bytes`, resizes it to the model's input [1,H,W,3], runs the session and
 * writes the best min(top_k, capacity) classes into `out` (count in *out_count). `timing`
 * and `err` may be NULL. */
wi_status wi_classify(wi_session *session, const void *image_bytes, size_t image_len,
                      const wi_classify_options *options, wi_class_score *out, int capacity,
                      int *out_count, wi_classify_timing *timing, wi_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Labels: one per line                                                                       */

typedef struct wi_labels wi_labels;

wi_status wi_labels_load(const void *text, size_t len, wi_labels **out, wi_error *err);
wi_status wi_labels_load_file(const char *path, wi_labels **out, wi_error *err);
void wi_labels_free(wi_labels *labels); /* accepts NULL */
int wi_labels_count(const wi_labels *labels);
/* Borrowed label of row `index` (0-based), or NULL when out of range. */
const char *wi_labels_get(const wi_labels *labels, int index);

#ifdef __cplusplus
}
#endif
#endif /* WASINFER_H */
