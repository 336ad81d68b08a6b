/* fleet-suggest.h: "did you mean" suggestions, shared by the compiler and
 * the planner. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return the candidate closest to `word` by edit distance, in which an
 * insertion, deletion, substitution or swap of neighbours each counts 1.
 * Returns NULL unless that distance is at most 2 and smaller than the length
 * of `word`.  The result is borrowed from `candidates`.  Words longer than
 * 64 bytes get no suggestion, which bounds the cost per candidate. */
const char *fleet_suggest_name (const char *word,
                                const char * const *candidates,
                                gsize n_candidates);

G_END_DECLS
