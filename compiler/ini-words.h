/* ini-words.h: splitting a host line of an Ansible INI inventory into words.
 *
 * Ansible splits host lines with Python's shlex.split(line, comments=True),
 * and this module does the same: whitespace separates words, '#' outside
 * quotes ends the line (also in the middle of a word), single quotes keep
 * everything up to the next single quote, double quotes let a backslash
 * escape only '"' and '\', and a backslash outside quotes escapes any
 * character.  A quote in the middle of a word joins the quoted text to it:
 * key="a b" is the one word key=a b.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FLEET_INI_ERROR (fleet_ini_error_quark ())
GQuark fleet_ini_error_quark (void);

typedef enum {
  FLEET_INI_ERROR_UNCLOSED_QUOTE,
  FLEET_INI_ERROR_DANGLING_ESCAPE,
} FleetIniError;

/* One word of a host line.  offsets[i] is the byte offset in the line of
 * the character that gave text[i], so that an error inside the word can
 * point at its column even after quotes are removed. */
typedef struct {
  char *text;
  gsize length;
  gsize *offsets;              /* length + 1 entries; the last is where the word ends */
} FleetIniWord;

void fleet_ini_word_free (FleetIniWord *word);

/* Split `line` into words.  Returns a new array of FleetIniWord pointers
 * (free with g_ptr_array_unref), or NULL with `error` set and the byte
 * offset of the unclosed quote or the final backslash in `error_offset`. */
GPtrArray *fleet_ini_split_words (const char *line, gsize *error_offset, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetIniWord, fleet_ini_word_free)

G_END_DECLS
