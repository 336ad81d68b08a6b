/* suggest.h: "did you mean" suggestions and name lists for messages. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return the candidate closest to `word` by edit distance (insertions,
 * deletions, substitutions and swaps of neighbours each count 1), when that
 * distance is at most 2 and smaller than the length of `word`; otherwise
 * NULL.  The result is borrowed from `candidates`.  Words longer than 64
 * bytes get no suggestion, which bounds the cost per candidate. */
const char *fleet_suggest_name (const char *word,
                                const char * const *candidates,
                                gsize n_candidates);

/* Return the first `max_shown` of `names` joined by ", ", followed by
 * "and N more" when some are left out.  Free with g_free. */
char *fleet_join_names (const char * const *names, gsize n_names, gsize max_shown);

G_END_DECLS
