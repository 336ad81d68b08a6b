/* fault-proxy.c: a poll() loop in its own thread that forwards TCP
 * connections on 127.0.0.1 and injects faults. */
#include "tests/fault-proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFFER_MAX (64 * 1024)
#define LOOP_INTERVAL_MS 50
#define SLOW_REFILL_US (100 * 1000)

/* One forwarded connection.  Bytes read from one side wait in the buffer
 * toward the other side until they are written. */
typedef struct {
  int fd[2];                     /* 0: client (fleet-run), 1: server (sshd) */
  GByteArray *pending[2];        /* bytes to write to fd[i] */
  gboolean eof[2];               /* fd[i] has closed its sending side */
  gboolean shut[2];              /* shutdown(SHUT_WR) sent to fd[i] */
  guint budget[2];               /* FAULT_SLOW: bytes fd[i] may still get */
} Connection;

struct FaultProxy {
  int listen_fd;
  guint16 port;
  guint16 target_port;
  int wake[2];                   /* pipe: a write wakes the thread */
  GThread *thread;
  GPtrArray *connections;        /* Connection *, thread only */
  gint64 next_refill_us;         /* thread only */

  GMutex lock;                   /* guards the members below */
  GCond served;                  /* signalled when served_generation grows */
  guint generation;              /* counts fault changes */
  guint served_generation;       /* the last change the thread has applied */
  FaultKind kind;
  guint bytes_per_second;
  char *trigger_path;
  FaultKind trigger_kind;
  gboolean triggered;
  gboolean stopping;
  guint accepted;
};

static void
set_nonblocking (int fd)
{
  int flags = fcntl (fd, F_GETFL);

  g_assert_cmpint (fcntl (fd, F_SETFL, flags | O_NONBLOCK), ==, 0);
}

/* Close `fd` with a TCP reset instead of an orderly FIN. */
static void
reset_socket (int fd)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  if (fd < 0)
    return;
  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  close (fd);
}

static void
connection_free (Connection *connection)
{
  for (guint side = 0; side < 2; side++)
    {
      if (connection->fd[side] >= 0)
        close (connection->fd[side]);
      g_byte_array_unref (connection->pending[side]);
    }
  g_free (connection);
}

static void
connection_reset (Connection *connection)
{
  for (guint side = 0; side < 2; side++)
    {
      reset_socket (connection->fd[side]);
      connection->fd[side] = -1;
    }
}

static int
connect_target (guint16 port)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (port) };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      return -1;
    }
  set_nonblocking (fd);
  return fd;
}

static void
accept_connection (FaultProxy *proxy, FaultKind kind)
{
  int client = accept4 (proxy->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  Connection *connection;
  int server;

  if (client < 0)
    return;

  g_mutex_lock (&proxy->lock);
  proxy->accepted++;
  g_mutex_unlock (&proxy->lock);

  server = kind == FAULT_CUT ? -1 : connect_target (proxy->target_port);
  if (server < 0)
    {
      reset_socket (client);
      return;
    }

  connection = g_new0 (Connection, 1);
  connection->fd[0] = client;
  connection->fd[1] = server;
  connection->pending[0] = g_byte_array_new ();
  connection->pending[1] = g_byte_array_new ();
  g_ptr_array_add (proxy->connections, connection);
}

/* Read from side `from` into the buffer toward the other side.  Returns
 * FALSE when the connection failed. */
static gboolean
read_side (Connection *connection, guint from)
{
  guint8 buffer[16384];
  GByteArray *pending = connection->pending[1 - from];
  gsize room = BUFFER_MAX - MIN (pending->len, BUFFER_MAX);
  ssize_t got;

  if (room == 0)
    return TRUE;
  got = read (connection->fd[from], buffer, MIN (room, sizeof buffer));
  if (got < 0)
    return errno == EAGAIN || errno == EINTR;
  if (got == 0)
    connection->eof[from] = TRUE;
  else
    g_byte_array_append (pending, buffer, (guint) got);
  return TRUE;
}

/* Write buffered bytes to side `to`, at most `limit`.  Returns FALSE when
 * the connection failed. */
static gboolean
write_side (Connection *connection, guint to, gsize limit)
{
  GByteArray *pending = connection->pending[to];
  ssize_t written;

  if (pending->len > 0 && limit > 0)
    {
      written = write (connection->fd[to], pending->data, MIN ((gsize) pending->len, limit));
      if (written < 0)
        return errno == EAGAIN || errno == EINTR;
      g_byte_array_remove_range (pending, 0, (guint) written);
      connection->budget[to] -= MIN ((guint) written, connection->budget[to]);
    }

  /* Pass an orderly close on once everything before it is delivered. */
  if (pending->len == 0 && connection->eof[1 - to] && !connection->shut[to])
    {
      shutdown (connection->fd[to], SHUT_WR);
      connection->shut[to] = TRUE;
    }
  return TRUE;
}

static void
refill_budgets (FaultProxy *proxy, guint bytes_per_second)
{
  gint64 now = g_get_monotonic_time ();

  if (now < proxy->next_refill_us)
    return;
  proxy->next_refill_us = now + SLOW_REFILL_US;
  for (guint i = 0; i < proxy->connections->len; i++)
    {
      Connection *connection = g_ptr_array_index (proxy->connections, i);

      connection->budget[0] = MAX (bytes_per_second / 10, 1);
      connection->budget[1] = MAX (bytes_per_second / 10, 1);
    }
}

/* Move the trigger's fault in once its file exists; returns the fault now
 * in force. */
static FaultKind
current_fault (FaultProxy *proxy, guint *out_rate, gboolean *out_stopping)
{
  FaultKind kind;

  g_mutex_lock (&proxy->lock);
  if (proxy->trigger_path != NULL && g_file_test (proxy->trigger_path, G_FILE_TEST_EXISTS))
    {
      proxy->kind = proxy->trigger_kind;
      proxy->triggered = TRUE;
      g_clear_pointer (&proxy->trigger_path, g_free);
    }
  kind = proxy->kind;
  *out_rate = proxy->bytes_per_second;
  *out_stopping = proxy->stopping;
  g_mutex_unlock (&proxy->lock);
  return kind;
}

/* FAULT_CORRUPT: invert the first byte waiting to go to a client, and
 * forward normally from then on.  Returns the fault in force afterwards. */
static FaultKind
corrupt_one_byte (FaultProxy *proxy)
{
  for (guint i = 0; i < proxy->connections->len; i++)
    {
      Connection *connection = g_ptr_array_index (proxy->connections, i);

      if (connection->pending[0]->len == 0)
        continue;
      connection->pending[0]->data[0] ^= 0xff;
      g_mutex_lock (&proxy->lock);
      proxy->kind = FAULT_NONE;
      g_mutex_unlock (&proxy->lock);
      return FAULT_NONE;
    }
  return FAULT_CORRUPT;
}

/* Tell fault_proxy_set_fault that the changes up to `generation` are in
 * force. */
static void
mark_served (FaultProxy *proxy, guint generation)
{
  g_mutex_lock (&proxy->lock);
  proxy->served_generation = MAX (proxy->served_generation, generation);
  g_cond_broadcast (&proxy->served);
  g_mutex_unlock (&proxy->lock);
}

static short
side_events (const Connection *connection, guint side, FaultKind kind)
{
  short events = 0;

  if (kind == FAULT_SILENT)
    return 0;
  if (!connection->eof[side] && connection->pending[1 - side]->len < BUFFER_MAX)
    events |= POLLIN;
  if (connection->pending[side]->len > 0
      && (kind != FAULT_SLOW || connection->budget[side] > 0))
    events |= POLLOUT;
  return events;
}

/* Serve the connections' ready sides; drop the ones that failed or ended. */
static void
serve_connections (FaultProxy *proxy, const struct pollfd *fds, FaultKind kind)
{
  for (guint i = proxy->connections->len; i > 0; i--)
    {
      Connection *connection = g_ptr_array_index (proxy->connections, i - 1);
      gboolean ok = TRUE;

      for (guint side = 0; side < 2 && ok && kind != FAULT_SILENT; side++)
        {
          short revents = fds[2 + 2 * (i - 1) + side].revents;
          gsize limit = kind == FAULT_SLOW ? connection->budget[side] : G_MAXSIZE;

          if (revents & (POLLIN | POLLHUP | POLLERR))
            ok = read_side (connection, side);
          if (ok)
            ok = write_side (connection, side, limit);
          if (revents & POLLERR)
            ok = FALSE;
        }

      if (!ok)
        connection_reset (connection);
      if (!ok || (connection->shut[0] && connection->shut[1]))
        g_ptr_array_remove_index (proxy->connections, i - 1);
    }
}

static gpointer
proxy_thread_main (gpointer data)
{
  FaultProxy *proxy = data;

  for (;;)
    {
      g_autofree struct pollfd *fds = NULL;
      gboolean stopping = FALSE;
      guint rate = 0;
      guint generation;
      FaultKind kind;
      guint n_fds;

      g_mutex_lock (&proxy->lock);
      generation = proxy->generation;
      g_mutex_unlock (&proxy->lock);
      kind = current_fault (proxy, &rate, &stopping);

      if (stopping)
        break;

      if (kind == FAULT_CUT)
        {
          for (guint i = 0; i < proxy->connections->len; i++)
            connection_reset (g_ptr_array_index (proxy->connections, i));
          g_ptr_array_set_size (proxy->connections, 0);
        }
      if (kind == FAULT_SLOW)
        refill_budgets (proxy, rate);
      if (kind == FAULT_CORRUPT)
        kind = corrupt_one_byte (proxy);
      mark_served (proxy, generation);

      n_fds = 2 + 2 * proxy->connections->len;
      fds = g_new0 (struct pollfd, n_fds);
      fds[0] = (struct pollfd) { .fd = proxy->listen_fd, .events = POLLIN };
      fds[1] = (struct pollfd) { .fd = proxy->wake[0], .events = POLLIN };
      for (guint i = 0; i < proxy->connections->len; i++)
        {
          Connection *connection = g_ptr_array_index (proxy->connections, i);

          /* A silent proxy does not even notice a closed peer, so a
           * negative descriptor keeps poll() from reporting it. */
          for (guint side = 0; side < 2; side++)
            fds[2 + 2 * i + side] = (struct pollfd) {
              .fd = kind == FAULT_SILENT ? -1 : connection->fd[side],
              .events = side_events (connection, side, kind) };
        }

      if (poll (fds, n_fds, LOOP_INTERVAL_MS) < 0 && errno != EINTR)
        g_error ("fault proxy: poll failed: %s", g_strerror (errno));

      if (fds[1].revents & POLLIN)
        {
          char drain[64];

          while (read (proxy->wake[0], drain, sizeof drain) > 0)
            ;
        }
      serve_connections (proxy, fds, kind);
      if (fds[0].revents & POLLIN)
        accept_connection (proxy, kind);
    }
  return NULL;
}

static void
wake_thread (FaultProxy *proxy)
{
  if (write (proxy->wake[1], "w", 1) < 0 && errno != EAGAIN)
    g_error ("fault proxy: cannot wake its thread: %s", g_strerror (errno));
}

FaultProxy *
fault_proxy_new (guint16 target_port)
{
  FaultProxy *proxy = g_new0 (FaultProxy, 1);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
  socklen_t length = sizeof address;

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  proxy->target_port = target_port;
  proxy->listen_fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  g_assert_cmpint (proxy->listen_fd, >=, 0);
  g_assert_cmpint (bind (proxy->listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (proxy->listen_fd, 64), ==, 0);
  g_assert_cmpint (getsockname (proxy->listen_fd, (struct sockaddr *) &address, &length), ==, 0);
  proxy->port = ntohs (address.sin_port);

  g_assert_cmpint (pipe2 (proxy->wake, O_CLOEXEC | O_NONBLOCK), ==, 0);
  proxy->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_free);
  g_mutex_init (&proxy->lock);
  g_cond_init (&proxy->served);
  proxy->thread = g_thread_new ("fault-proxy", proxy_thread_main, proxy);
  return proxy;
}

void
fault_proxy_free (FaultProxy *proxy)
{
  if (proxy == NULL)
    return;

  g_mutex_lock (&proxy->lock);
  proxy->stopping = TRUE;
  g_mutex_unlock (&proxy->lock);
  wake_thread (proxy);
  g_thread_join (proxy->thread);

  g_ptr_array_unref (proxy->connections);
  close (proxy->listen_fd);
  close (proxy->wake[0]);
  close (proxy->wake[1]);
  g_mutex_clear (&proxy->lock);
  g_cond_clear (&proxy->served);
  g_free (proxy->trigger_path);
  g_free (proxy);
}

guint16
fault_proxy_get_port (const FaultProxy *proxy)
{
  return proxy->port;
}

void
fault_proxy_set_fault (FaultProxy *proxy, FaultKind kind, guint bytes_per_second)
{
  guint generation;

  g_mutex_lock (&proxy->lock);
  proxy->kind = kind;
  proxy->bytes_per_second = bytes_per_second;
  generation = ++proxy->generation;
  g_mutex_unlock (&proxy->lock);
  wake_thread (proxy);

  g_mutex_lock (&proxy->lock);
  while (proxy->served_generation < generation)
    g_cond_wait (&proxy->served, &proxy->lock);
  g_mutex_unlock (&proxy->lock);
}

void
fault_proxy_set_fault_when_file (FaultProxy *proxy, FaultKind kind, const char *path)
{
  g_mutex_lock (&proxy->lock);
  g_free (proxy->trigger_path);
  proxy->trigger_path = g_strdup (path);
  proxy->trigger_kind = kind;
  proxy->triggered = FALSE;
  g_mutex_unlock (&proxy->lock);
  wake_thread (proxy);
}

FaultKind
fault_proxy_get_fault (FaultProxy *proxy)
{
  FaultKind kind;

  g_mutex_lock (&proxy->lock);
  kind = proxy->kind;
  g_mutex_unlock (&proxy->lock);
  return kind;
}

guint
fault_proxy_get_accepted (FaultProxy *proxy)
{
  guint accepted;

  g_mutex_lock (&proxy->lock);
  accepted = proxy->accepted;
  g_mutex_unlock (&proxy->lock);
  return accepted;
}

gboolean
fault_proxy_fault_started (FaultProxy *proxy)
{
  gboolean triggered;

  g_mutex_lock (&proxy->lock);
  triggered = proxy->triggered;
  g_mutex_unlock (&proxy->lock);
  return triggered;
}
