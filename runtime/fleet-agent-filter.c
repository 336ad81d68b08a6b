/* fleet-agent-filter.c: ssh-agent restricted to chosen keys; see
 * fleet-agent-filter.h.  The agent protocol (draft-miller-ssh-agent):
 * each message is a uint32 length, then a type byte and its contents. */
#include "runtime/fleet-agent-filter.h"

#include <errno.h>
#include <gio/gio.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define AGENTC_REQUEST_IDENTITIES 11
#define AGENT_IDENTITIES_ANSWER 12

/* A longer message comes from a broken peer; OpenSSH 9.2's client uses the
 * same limit (MAX_AGENT_REPLY_LEN in authfd.c). */
#define MAX_MESSAGE_BYTES (256 * 1024)

struct FleetAgentFilter {
  int client_fd;                 /* libssh's end, until stolen; -1 after */
  int relay_fd;                  /* our end of the socket pair */
  int agent_fd;
  GPtrArray *allowed;            /* GBytes *, public key blobs */
  GThread *thread;
  guint matched;                 /* atomic: most allowed keys in one key list */
};

/* Read or write all `length` bytes; FALSE on end of file or an error. */
static gboolean
transfer (int fd, guint8 *data, gsize length, gboolean reading)
{
  gsize done = 0;

  while (done < length)
    {
      /* MSG_NOSIGNAL: a peer that closed is an error here, not SIGPIPE.
       * The relay thread blocks every signal (start_relay_thread), so
       * neither call fails with EINTR. */
      ssize_t n = reading ? read (fd, data + done, length - done)
                          : send (fd, data + done, length - done, MSG_NOSIGNAL);

      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }

  return TRUE;
}

/* Read one message, length prefix included, or return NULL. */
static GByteArray *
read_message (int fd)
{
  guint8 prefix[4];
  guint32 length;
  GByteArray *message;

  if (!transfer (fd, prefix, sizeof prefix, TRUE))
    return NULL;

  length = (guint32) prefix[0] << 24 | (guint32) prefix[1] << 16 | (guint32) prefix[2] << 8
           | prefix[3];
  if (length == 0 || length > MAX_MESSAGE_BYTES)
    return NULL;

  message = g_byte_array_sized_new (length + 4);
  g_byte_array_append (message, prefix, sizeof prefix);
  g_byte_array_set_size (message, length + 4);
  if (!transfer (fd, message->data + 4, length, TRUE))
    {
      g_byte_array_unref (message);
      return NULL;
    }

  return message;
}

static void
append_uint32 (GByteArray *out, guint32 value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, sizeof bytes);
}

/* Read a uint32 at `*offset` of `message`, advancing it. */
static gboolean
take_uint32 (const GByteArray *message, gsize *offset, guint32 *out)
{
  const guint8 *p = message->data + *offset;

  if (message->len - *offset < 4)
    return FALSE;

  *out = (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
  *offset += 4;
  return TRUE;
}

static gboolean
is_allowed (const FleetAgentFilter *filter, const guint8 *blob, gsize length)
{
  for (guint i = 0; i < filter->allowed->len; i++)
    {
      gsize allowed_length;
      const guint8 *allowed = g_bytes_get_data (g_ptr_array_index (filter->allowed, i),
                                                &allowed_length);

      if (allowed_length == length && memcmp (allowed, blob, length) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Return the identities reply `reply` with only the allowed keys, or NULL
 * when it is malformed.  Each key is a blob string and a comment string. */
static GByteArray *
filter_identities (FleetAgentFilter *filter, const GByteArray *reply)
{
  g_autoptr(GByteArray) keys = g_byte_array_new ();
  GByteArray *filtered;
  gsize offset = 5;
  guint32 count;
  guint32 kept = 0;

  if (!take_uint32 (reply, &offset, &count))
    return NULL;

  for (guint32 i = 0; i < count; i++)
    {
      gsize start = offset;
      gsize blob_offset;
      guint32 blob_length;
      guint32 comment_length;

      if (!take_uint32 (reply, &offset, &blob_length) || reply->len - offset < blob_length)
        return NULL;
      blob_offset = offset;
      offset += blob_length;
      if (!take_uint32 (reply, &offset, &comment_length) || reply->len - offset < comment_length)
        return NULL;
      offset += comment_length;

      if (is_allowed (filter, reply->data + blob_offset, blob_length))
        {
          g_byte_array_append (keys, reply->data + start, offset - start);
          kept++;
        }
    }

  if (kept > (guint32) g_atomic_int_get (&filter->matched))
    g_atomic_int_set (&filter->matched, kept);

  filtered = g_byte_array_new ();
  append_uint32 (filtered, 1 + 4 + keys->len);
  g_byte_array_append (filtered, (const guint8[]) { AGENT_IDENTITIES_ANSWER }, 1);
  append_uint32 (filtered, kept);
  g_byte_array_append (filtered, keys->data, keys->len);
  return filtered;
}

/* Relay one request and its reply.  Returns FALSE when either side closed
 * or sent something malformed, which ends the relay. */
static gboolean
relay_one (FleetAgentFilter *filter)
{
  g_autoptr(GByteArray) request = read_message (filter->relay_fd);
  g_autoptr(GByteArray) reply = NULL;
  g_autoptr(GByteArray) filtered = NULL;

  if (request == NULL || !transfer (filter->agent_fd, request->data, request->len, FALSE))
    return FALSE;

  reply = read_message (filter->agent_fd);
  if (reply == NULL)
    return FALSE;

  if (request->data[4] == AGENTC_REQUEST_IDENTITIES && reply->data[4] == AGENT_IDENTITIES_ANSWER)
    {
      filtered = filter_identities (filter, reply);
      if (filtered == NULL)
        return FALSE;
      return transfer (filter->relay_fd, filtered->data, filtered->len, FALSE);
    }

  return transfer (filter->relay_fd, reply->data, reply->len, FALSE);
}

static gpointer
relay_thread (gpointer data)
{
  FleetAgentFilter *filter = data;

  while (relay_one (filter))
    ;

  /* libssh then reads end of file and gives up on the agent. */
  shutdown (filter->relay_fd, SHUT_RDWR);
  return NULL;
}

/* Start the relay thread with every signal blocked, because a thread
 * inherits its creator's signal mask.  The process's signal handlers then
 * run on its other threads, so no read or send of the relay fails with
 * EINTR. */
static GThread *
start_relay_thread (FleetAgentFilter *filter)
{
  sigset_t all_signals;
  sigset_t caller_signals;
  GThread *thread;

  sigfillset (&all_signals);
  pthread_sigmask (SIG_SETMASK, &all_signals, &caller_signals);
  thread = g_thread_new ("fleet-agent-filter", relay_thread, filter);
  pthread_sigmask (SIG_SETMASK, &caller_signals, NULL);
  return thread;
}

static int
connect_agent (const char *agent_path, GError **error)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (agent_path) >= sizeof address.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "the ssh-agent socket path %s is too long", agent_path);
      return -1;
    }
  strcpy (address.sun_path, agent_path);

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &address, sizeof address) == 0)
    return fd;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               "cannot connect to ssh-agent at %s: %s", agent_path, g_strerror (errno));
  if (fd >= 0)
    close (fd);
  return -1;
}

FleetAgentFilter *
fleet_agent_filter_new (const char *agent_path, GPtrArray *allowed, GError **error)
{
  FleetAgentFilter *filter;
  int agent_fd = connect_agent (agent_path, error);
  int pair[2];

  if (agent_fd < 0)
    return NULL;

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot create a socket pair for ssh-agent: %s", g_strerror (errno));
      close (agent_fd);
      return NULL;
    }

  filter = g_new0 (FleetAgentFilter, 1);
  filter->client_fd = pair[0];
  filter->relay_fd = pair[1];
  filter->agent_fd = agent_fd;
  filter->allowed = g_ptr_array_ref (allowed);
  filter->thread = start_relay_thread (filter);
  return filter;
}

guint
fleet_agent_filter_get_matched (FleetAgentFilter *filter)
{
  return (guint) g_atomic_int_get (&filter->matched);
}

int
fleet_agent_filter_steal_fd (FleetAgentFilter *filter)
{
  int fd = filter->client_fd;

  filter->client_fd = -1;
  return fd;
}

void
fleet_agent_filter_free (FleetAgentFilter *filter)
{
  /* Wakes the thread from its read of the next request. */
  shutdown (filter->relay_fd, SHUT_RDWR);
  g_thread_join (filter->thread);

  if (filter->client_fd >= 0)
    close (filter->client_fd);
  close (filter->relay_fd);
  close (filter->agent_fd);
  g_ptr_array_unref (filter->allowed);
  g_free (filter);
}
