/* fleet-journal.c: JSON-lines journal with group commit.
 *
 * Lines are written by the event loop; a sync thread runs fdatasync for
 * every line asked to be durable, one call covering all lines written before
 * it, so hundreds of hosts reaching a step boundary at once share one disk
 * flush instead of each stalling the loop for its own.  The thread starts a
 * flush only when the loop is about to wait (fleet_journal_start_sync) or
 * checks whether a line is durable.  A host's step-end line and its next
 * step-start line, written in one turn of the loop, thus share one flush
 * instead of the second waiting for the first.
 */
#include "runtime/fleet-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>

#include "schema/fleet-clock.h"

struct FleetJournal {
  int fd;
  char *path;
  GString *line;
  FleetJsonWriter writer;
  GError *error;                 /* first write error, main thread only */

  /* Group commit.  `written` counts lines written, `wanted` the latest line
   * asked to be durable, `synced` the latest line known durable; the sync
   * thread moves `synced` up to `wanted` and then signals `notify_fd`. */
  GThread *sync_thread;
  GMutex lock;
  GCond changed;
  guint64 written;
  guint64 wanted;
  guint64 synced;
  gboolean sync_requested;       /* the thread may flush up to `wanted` */
  int sync_errno;                /* first fdatasync error: set by the sync thread,
                                    read once it has ended */
  gboolean closing;
  int notify_fd;                 /* eventfd, readable after a sync */
};

static gpointer
sync_thread_main (gpointer data)
{
  FleetJournal *journal = data;
  guint64 target;
  const guint64 one = 1;

  g_mutex_lock (&journal->lock);
  for (;;)
    {
      while ((journal->wanted <= journal->synced || !journal->sync_requested)
             && !journal->closing)
        g_cond_wait (&journal->changed, &journal->lock);
      if (journal->wanted <= journal->synced && journal->closing)
        break;
      journal->sync_requested = FALSE;

      /* Every line written so far is covered by this one flush. */
      target = journal->written;
      g_mutex_unlock (&journal->lock);

      if (fdatasync (journal->fd) != 0 && journal->sync_errno == 0)
        journal->sync_errno = errno;

      g_mutex_lock (&journal->lock);
      journal->synced = MAX (journal->synced, target);
      g_cond_broadcast (&journal->changed);
      if (write (journal->notify_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        g_warning ("cannot wake the event loop after a journal sync: %s", g_strerror (errno));
    }
  g_mutex_unlock (&journal->lock);
  return NULL;
}

/* Take the journal's lock and set up its sync thread; closes `fd` on
 * failure. */
static FleetJournal *
journal_new (int fd, const char *path, GError **error)
{
  FleetJournal *journal;

  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved_errno = errno;

      close (fd);
      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "journal %s is in use by another fleet-run; wait until that run has "
                     "stopped", path);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                     "cannot lock journal %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  journal = g_new0 (FleetJournal, 1);
  journal->fd = fd;
  journal->path = g_strdup (path);
  journal->line = g_string_new (NULL);
  journal->notify_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (journal->notify_fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create the journal's sync notifier: %s", g_strerror (saved_errno));
      close (fd);
      g_string_free (journal->line, TRUE);
      g_free (journal->path);
      g_free (journal);
      return NULL;
    }
  g_mutex_init (&journal->lock);
  g_cond_init (&journal->changed);
  journal->sync_thread = g_thread_new ("journal-sync", sync_thread_main, journal);
  return journal;
}

FleetJournal *
fleet_journal_create (const char *path, GError **error)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot create journal %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }
  return journal_new (fd, path, error);
}

/* Set `out_result` to whether the file `fd` is empty or ends with a
 * newline.  Returns FALSE when it cannot be read. */
static gboolean
ends_with_newline (int fd, const char *path, gboolean *out_result, GError **error)
{
  struct stat st;
  char last = '\n';

  if (fstat (fd, &st) != 0
      || (st.st_size > 0 && pread (fd, &last, 1, st.st_size - 1) != 1))
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot read journal %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  *out_result = last == '\n';
  return TRUE;
}

FleetJournal *
fleet_journal_open_append (const char *path, GError **error)
{
  FleetJournal *journal;
  gboolean complete = TRUE;
  int fd = open (path, O_RDWR | O_APPEND | O_CLOEXEC);

  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot open journal %s: %s", path, g_strerror (saved_errno));
      return NULL;
    }

  journal = journal_new (fd, path, error);
  if (journal == NULL)
    return NULL;

  /* Checked under the lock, so no other fleet-run is writing the end. */
  if (!ends_with_newline (fd, path, &complete, error))
    {
      fleet_journal_close (journal);
      return NULL;
    }
  if (!complete && (write (fd, "\n", 1) != 1 || fdatasync (fd) != 0))
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot end the torn last line of journal %s: %s", path,
                   g_strerror (saved_errno));
      fleet_journal_close (journal);
      return NULL;
    }
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

  g_mutex_lock (&journal->lock);
  journal->closing = TRUE;
  g_cond_broadcast (&journal->changed);
  g_mutex_unlock (&journal->lock);
  g_thread_join (journal->sync_thread);
  g_mutex_clear (&journal->lock);
  g_cond_clear (&journal->changed);
  close (journal->notify_fd);

  if (journal->sync_errno != 0)
    record_error (journal, "sync", journal->sync_errno);
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

guint64
fleet_journal_commit (FleetJournal *journal, gboolean sync)
{
  guint64 sequence;

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
          break;
        }
      data += written;
      remaining -= written;
    }

  g_mutex_lock (&journal->lock);
  sequence = ++journal->written;
  if (sync)
    journal->wanted = sequence;
  g_mutex_unlock (&journal->lock);
  return sequence;
}

/* Called with the lock held. */
static void
request_sync (FleetJournal *journal)
{
  if (journal->wanted > journal->synced)
    {
      journal->sync_requested = TRUE;
      g_cond_signal (&journal->changed);
    }
}

void
fleet_journal_start_sync (FleetJournal *journal)
{
  g_mutex_lock (&journal->lock);
  request_sync (journal);
  g_mutex_unlock (&journal->lock);
}

gboolean
fleet_journal_is_synced (FleetJournal *journal, guint64 sequence)
{
  gboolean synced;

  g_mutex_lock (&journal->lock);
  synced = journal->synced >= sequence;
  if (!synced)
    request_sync (journal);
  g_mutex_unlock (&journal->lock);
  return synced;
}

int
fleet_journal_get_notify_fd (const FleetJournal *journal)
{
  return journal->notify_fd;
}

void
fleet_journal_drain_notify (FleetJournal *journal)
{
  guint64 count;

  while (read (journal->notify_fd, &count, sizeof count) > 0)
    ;
}

const GError *
fleet_journal_get_error (const FleetJournal *journal)
{
  return journal->error;
}
