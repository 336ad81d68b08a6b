/* fleet-markdown.h: untrusted text made safe inside the Markdown reports
 * that admins paste into change tickets (plans, plan diffs, snapshot and
 * drift reports).  Host names, commands and remote output must display as
 * written and never turn into markup, links or HTML. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return `text` safe inside a Markdown paragraph, heading or table cell:
 * terminal escapes first (fleet_escape_for_terminal), then a backslash
 * before each markup character and & as &amp;.  NULL gives "".  Free with
 * g_free. */
char *fleet_markdown_escape (const char *text);

/* Return fleet_markdown_escape (`text`) when `markdown`, else a copy of
 * `text`, for reports written both as text and as Markdown.  Free with
 * g_free. */
char *fleet_markdown_text (const char *text, gboolean markdown);

/* Return a code fence for `text`: three backticks, or one more than its
 * longest run of backticks, so that no line of `text` can close the
 * block.  Free with g_free. */
char *fleet_markdown_code_fence (const char *text);

/* Append `text` to `out` as a fenced code block, with a newline added when
 * `text` does not end with one.  Nothing is appended for empty text. */
void fleet_markdown_append_code_block (GString *out, const char *text);

G_END_DECLS
