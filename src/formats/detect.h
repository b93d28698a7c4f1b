/* detect.h - model format detection from the first bytes. */
#ifndef WI_FORMATS_DETECT_H
#define WI_FORMATS_DETECT_H

#include <stddef.h>
#include "wasinfer.h"

/* Sets *format from the bytes, or fails with WI_E_UNSUPPORTED naming what they look like. */
wi_status wi_format_detect(const void *bytes, size_t len, wi_format *format, wi_error *err);

#endif
