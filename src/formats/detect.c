/* Format detection. A GraphDef has no magic number, so we recognise the formats that do
 * have one (TFLite, ONNX-less zip, JSON) and otherwise check that the message opens with a
 * GraphDef field: node (1, length-delimited), versions (4) or library (2). */
#include <string.h>
#include "core/error.h"
#include "formats/detect.h"
#include "formats/protobuf.h"
#include "formats/tfjs/tfjs.h"

wi_status wi_format_detect(const void *bytes, size_t len, wi_format *format, wi_error *err) {
    const uint8_t *b = bytes;
    if (len >= 8 && memcmp(b + 4, "TFL3", 4) == 0) { /* FlatBuffer file identifier */
        *format = WI_FORMAT_TFLITE;
        return WI_OK;
    }
    if (wi_tfjs_sniff(bytes, len)) { /* a JSON object: the only JSON model is TF.js's model.json */
        *format = WI_FORMAT_TFJS;
        return WI_OK;
    }
    if (len >= 1 && b[0] == '[')
        return wi_error_set(err, WI_E_MALFORMED, "a JSON array is not a model (a TF.js model.json is an object)");
    /* an ONNX ModelProto opens with ir_version (field 1, varint: byte 0x08); a GraphDef's
     * field 1 is length-delimited (0x0a) */
    if (len >= 2 && b[0] == 0x08) {
        *format = WI_FORMAT_ONNX;
        return WI_OK;
    }
    wi_pb_reader r = wi_pb_reader_make(bytes, len);
    wi_pb_field f;
    if (wi_pb_next(&r, &f) && f.wire_type == WI_PB_LEN &&
        (f.number == 1 || f.number == 2 || f.number == 4)) {
        *format = WI_FORMAT_TF_GRAPHDEF;
        return WI_OK;
    }
    return wi_error_set(err, WI_E_MALFORMED,
                        "not a recognised model format (expected a TensorFlow GraphDef .pb)");
}
