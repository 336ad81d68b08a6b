/* source-file.c: reading input files within the size limit. */
#include "compiler/source-file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/fleet-compiler.h"
#include "compiler/yaml-tree.h"

typedef struct {
  FleetDiagnostics *diags;
  const char *path;
  const char *kind;
  FleetSourcePos pos;
  gboolean check_owner;       /* apply the checks of fleet_read_trusted_source_file */
} SourceRequest;

static void
report_errno (const SourceRequest *request, int error_number)
{
  g_autofree char *quoted = fleet_quote_value (request->path, FLEET_QUOTE_MAX_CHARS * 4);

  fleet_diagnostics_error (request->diags, &request->pos, "failed to read %s file %s: %s",
                           request->kind, quoted, g_strerror (error_number));
}

static void
report_too_large (const SourceRequest *request)
{
  g_autofree char *quoted = fleet_quote_value (request->path, FLEET_QUOTE_MAX_CHARS * 4);

  fleet_diagnostics_error (request->diags, &request->pos,
                           "%s file %s is too large: the maximum is %u bytes",
                           request->kind, quoted, FLEET_MAX_INPUT_BYTES);
}

/* Read at most FLEET_MAX_INPUT_BYTES + 1 bytes, so that a file that grew
 * after fstat is still caught by the size check. */
static GByteArray *
read_all (const SourceRequest *request, int fd)
{
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[65536];

  while (buffer->len <= FLEET_MAX_INPUT_BYTES)
    {
      gsize wanted = MIN (sizeof chunk, (gsize) FLEET_MAX_INPUT_BYTES + 1 - buffer->len);
      ssize_t n = read (fd, chunk, wanted);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          report_errno (request, errno);
          return NULL;
        }
      if (n == 0)
        return g_steal_pointer (&buffer);

      g_byte_array_append (buffer, chunk, (guint) n);
    }

  report_too_large (request);
  return NULL;
}

static gboolean
check_owner (const SourceRequest *request, const struct stat *info)
{
  g_autofree char *quoted = fleet_quote_value (request->path, FLEET_QUOTE_MAX_CHARS * 4);

  if (info->st_uid != 0 && info->st_uid != getuid ())
    {
      fleet_diagnostics_error (request->diags, &request->pos,
                               "%s file %s is owned by user id %u, which is neither you nor root, "
                               "so OpenSSH would reject it too; change its owner or stop using it",
                               request->kind, quoted, (guint) info->st_uid);
      return FALSE;
    }

  if ((info->st_mode & 022) != 0)
    {
      fleet_diagnostics_error (request->diags, &request->pos,
                               "%s file %s is writable by its group or others, so OpenSSH would "
                               "reject it too; run chmod go-w on it",
                               request->kind, quoted);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_file (const SourceRequest *request, const struct stat *info)
{
  g_autofree char *quoted = NULL;

  if (S_ISDIR (info->st_mode))
    {
      report_errno (request, EISDIR);
      return FALSE;
    }

  if (!S_ISREG (info->st_mode))
    {
      quoted = fleet_quote_value (request->path, FLEET_QUOTE_MAX_CHARS * 4);
      fleet_diagnostics_error (request->diags, &request->pos,
                               "failed to read %s file %s: it is not a regular file",
                               request->kind, quoted);
      return FALSE;
    }

  if ((guint64) info->st_size > FLEET_MAX_INPUT_BYTES)
    {
      report_too_large (request);
      return FALSE;
    }

  return !request->check_owner || check_owner (request, info);
}

static GByteArray *
open_and_read (const SourceRequest *request)
{
  struct stat info;
  GByteArray *buffer = NULL;
  /* O_NONBLOCK keeps open from waiting for a writer when the path is a
   * FIFO; check_file then rejects it. */
  int fd = open (request->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

  if (fd < 0)
    {
      report_errno (request, errno);
      return NULL;
    }

  if (fstat (fd, &info) != 0)
    report_errno (request, errno);
  else if (check_file (request, &info))
    buffer = read_all (request, fd);

  close (fd);
  return buffer;
}

static GBytes *
read_source_file (SourceRequest *request, const FleetSourcePos *reference)
{
  GByteArray *buffer;

  if (reference != NULL)
    request->pos = *reference;

  buffer = open_and_read (request);
  if (buffer == NULL)
    return NULL;

  /* An empty file has no line to quote. */
  if (buffer->len > 0)
    fleet_diagnostics_add_source (request->diags, g_intern_string (request->path),
                                  (const char *) buffer->data, buffer->len);
  return g_byte_array_free_to_bytes (buffer);
}

GBytes *
fleet_read_source_file (FleetDiagnostics *diags,
                        const char *path,
                        const char *kind,
                        const FleetSourcePos *reference)
{
  SourceRequest request = { diags, path, kind, { g_intern_string (path), 0, 0 }, FALSE };

  return read_source_file (&request, reference);
}

GBytes *
fleet_read_trusted_source_file (FleetDiagnostics *diags,
                                const char *path,
                                const char *kind,
                                const FleetSourcePos *reference)
{
  SourceRequest request = { diags, path, kind, { g_intern_string (path), 0, 0 }, TRUE };

  return read_source_file (&request, reference);
}
