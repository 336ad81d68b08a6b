/* ssh-config-private.h: the parsed form of an ssh_config file, shared by
 * the reader (ssh-config.c), the keyword parsers (ssh-config-keywords.c)
 * and the lookup (ssh-config-lookup.c).
 *
 * Reading turns every file into a flat list of keyword lines in reading
 * order, each tagged with the condition under which it applies.  A
 * condition is the Host line of its block, or a Match line, chained to the
 * condition of the Include line that read its file, so a lookup is one
 * pass over the list.
 */
#pragma once

#include "compiler/ssh-config.h"

G_BEGIN_DECLS

/* Index of the condition that always holds: lines before the first block
 * of the top file. */
#define SSH_CONDITION_ALWAYS 0u

typedef struct {
  GPtrArray *patterns;        /* char *, "!" first when negated; NULL: no Host
                                 line, so only the parent decides */
  gboolean never;             /* a Match block: applies to nothing */
  guint parent;               /* index of the enclosing condition, or itself
                                 for SSH_CONDITION_ALWAYS */
} SshCondition;

typedef enum {
  SSH_LINE_UNUSED,            /* a keyword fleetc does not use */
  SSH_LINE_SETTING,           /* gives one setting, in `value` */
  SSH_LINE_IDENTITY_FILE,     /* adds one identity file, in `value` */
  SSH_LINE_REJECTED,           /* fleetc must not skip it; see `rejection` */
} SshLineKind;

typedef struct {
  FleetSshConfigLine line;    /* keyword and position */
  guint condition;
  SshLineKind kind;
  FleetHostSettings value;    /* SETTING, IDENTITY_FILE: the one setting given */
  FleetSshConfigRejection rejection; /* REJECTED; `line` points back at this line */
  char *rejection_message;      /* owns rejection.message */
} SshLine;

struct FleetSshConfig {
  char *path;
  GPtrArray *sources;         /* FleetSourceFile * */
  GPtrArray *conditions;      /* SshCondition * */
  GPtrArray *lines;           /* SshLine * */
};

/* A keyword line split into words, with the column of each. */
typedef struct {
  const char *file;           /* interned */
  guint line;
  char *keyword;              /* as written */
  guint keyword_column;
  GPtrArray *args;            /* char *, unquoted */
  GArray *arg_columns;        /* guint, 1-based */
} SshWords;

/* Return the position of argument `index` of `words`, or of the keyword
 * when there is no such argument. */
FleetSourcePos ssh_words_arg_pos (const SshWords *words, guint index);

/* Turn `words`, a keyword line other than Host, Match and Include, into a
 * new line under `condition`.  Returns NULL after reporting an error in
 * `diags`. */
SshLine *ssh_line_parse (const SshWords *words, guint condition, FleetDiagnostics *diags);

void ssh_line_free (SshLine *line);

G_END_DECLS
