/* dtype.h - element sizes of wi_dtype. */
#ifndef WI_CORE_DTYPE_H
#define WI_CORE_DTYPE_H

#include <stddef.h>
#include "wasinfer.h"

/* Bytes of one element; 0 for WI_DTYPE_INVALID or an unknown value. */
size_t wi_dtype_size(wi_dtype dtype);

#endif
