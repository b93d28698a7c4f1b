/* onnx-run.h - helpers shared by the ONNX tests: deterministic data, running a model built
 * with onnx-build.h on one input, and comparing against a reference. */
#ifndef WI_TESTS_ONNX_RUN_H
#define WI_TESTS_ONNX_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "onnx/onnx-build.h"
#include "wasinfer.h"

/* Fills p[0..n) with values in [-1, 1) from a fixed LCG seeded by `seed`. */
void fill_data(float *p, size_t n, uint32_t seed);

/* Loads b's model, feeds `input` (n_in floats), runs it; returns a malloc'd copy of output 0
 * (count in *n_out), or NULL with the load/run status in *st and the message in *err. */
float *run_model(const ob *b, const float *input, size_t n_in, size_t *n_out, wi_status *st,
                 wi_error *err);

/* Largest |a[i] - b[i]|. */
float max_diff(const float *a, const float *b, size_t n);

#endif
