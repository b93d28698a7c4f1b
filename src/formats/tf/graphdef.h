/* graphdef.h - the TensorFlow frozen GraphDef (.pb) loader. */
#ifndef WI_FORMATS_TF_GRAPHDEF_H
#define WI_FORMATS_TF_GRAPHDEF_H

#include "wasinfer.h"

/* Parses a GraphDef into the graph IR and builds a model from it. Messages start "tf: ". */
wi_status wi_tf_load_graphdef(const void *bytes, size_t len, const wi_model_options *opts,
                              wi_model **out, wi_error *err);

#endif
