/* dump.h - a text dump of a graph (see dump.c for the format). */
#ifndef WI_IR_DUMP_H
#define WI_IR_DUMP_H

#include "core/error.h"
#include "ir/graph.h"

/* Writes the live nodes into buf (always NUL-terminated when cap > 0, truncated if needed);
 * returns the length written. */
size_t wi_graph_dump(const wi_graph *g, char *buf, size_t cap);

#endif
