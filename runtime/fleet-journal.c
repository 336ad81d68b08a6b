/* fleet-journal.c: JSON-lines journal with fsync at step boundaries. */
#include "runtime/fleet-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <gio/gio.h>

#include "schema/fleet-clock.h"

struct FleetJournal {
  int fd;
  char *path;
  GString *line;
  FleetJsonWriter writer;
  GError *error;
};

FleetJournal *
fleet_journal_create (const char *path, GError **error)
{
  FleetJournal *journal;
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create journal %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  journal = g_new0 (FleetJournal, 1);
  journal->fd = fd;
  journal->path = g_strdup (path);
  journal->line = g_string_new (NULL);
  return journal;
}

static void
record_error (FleetJournal *journal, const char *what, int saved_errno)
{
  if (journal->error == NULL)
    g_set_error (&journal->error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot %s journal %s: %s", what, journal->path, g_strerror (saved_errno));
}

void
fleet_journal_close (FleetJournal *journal)
{
  if (journal == NULL)
    return;

  if (fsync (journal->fd) != 0)
    record_error (journal, "sync", errno);
  close (journal->fd);
  if (journal->error != NULL)
    g_warning ("%s", journal->error->message);

  g_clear_error (&journal->error);
  g_string_free (journal->line, TRUE);
  g_free (journal->path);
  g_free (journal);
}

FleetJsonWriter *
fleet_journal_begin (FleetJournal *journal, const char *event, gint64 wall_us)
{
  g_autofree char *time = fleet_format_wall_time (wall_us);

  g_string_truncate (journal->line, 0);
  fleet_json_writer_init (&journal->writer, journal->line);
  fleet_json_begin_object (&journal->writer);
  fleet_json_key (&journal->writer, "time");
  fleet_json_string (&journal->writer, time);
  fleet_json_key (&journal->writer, "event");
  fleet_json_string (&journal->writer, event);
  return &journal->writer;
}

void
fleet_journal_commit (FleetJournal *journal, gboolean sync)
{
  const char *data;
  gsize remaining;

  fleet_json_end_object (&journal->writer);
  g_string_append_c (journal->line, '\n');

  data = journal->line->str;
  remaining = journal->line->len;
  while (remaining > 0)
    {
      ssize_t written = write (journal->fd, data, remaining);

      if (written < 0 && errno == EINTR)
        continue;
      if (written < 0)
        {
          record_error (journal, "write", errno);
          return;
        }
      data += written;
      remaining -= written;
    }

  if (sync && fdatasync (journal->fd) != 0)
    record_error (journal, "sync", errno);
}

const GError *
fleet_journal_get_error (const FleetJournal *journal)
{
  return journal->error;
}
