/* fleet-tunnel.c: the pool of jump connections and the direct-tcpip tunnels
 * through them.
 *
 * Bytes move between a tunnel's channel and its end of the socket pair
 * through two bounded buffers, one per direction, and a side is read only
 * while the buffer towards the other side has room.  A host session that
 * reads slowly thus stops the tunnel from taking channel data.  libssh then
 * keeps the rest and stops widening the channel window, so the jump host
 * stops sending on that channel while the other channels go on.  In the
 * other direction, a channel without window stops the reads from the
 * socket.
 *
 * Ownership: the context owns the jumps (context->jumps), and a
 * FleetConnection owns its tunnel.  Each tunnel counts as one user of its
 * jump, and a jump lists its active tunnels without owning them.  Jumps are removed from the pool only
 * by collect_unused_jumps(), so code that walks the pool never sees a jump
 * freed under it.
 */
#include "runtime/fleet-tunnel.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "schema/fleet-oom.h"

#define TUNNEL_BUFFER_BYTES (32 * 1024)

/* The originator address a direct-tcpip open names; OpenSSH's sshd only
 * logs it. */
#define TUNNEL_ORIGINATOR "127.0.0.1"

/* The reason of an SSH_MSG_CHANNEL_OPEN_FAILURE (RFC 4254, section 5.1)
 * for a target the server cannot connect to. */
#define OPEN_CONNECT_FAILED 2

typedef struct {
  char data[TUNNEL_BUFFER_BYTES];
  gsize length;                  /* bytes held, from the start of data */
} TunnelBuffer;

typedef enum {
  TUNNEL_WAITING,                /* for the jump connection to be ready */
  TUNNEL_OPENING,                /* the direct-tcpip open was sent */
  TUNNEL_OPEN,
  TUNNEL_CLOSED,                 /* one side ended; nothing moves any more */
  TUNNEL_FAILED,
} TunnelStage;

typedef struct {
  FleetSshContext *context;
  const FleetHost *host;         /* borrowed from context->jump_hosts */
  FleetConnection *connection;   /* NULL once failed or closed */
  ssh_event event;               /* reads the session's packets once it is READY */
  guint users;                   /* tunnels holding it */
  GPtrArray *tunnels;            /* FleetTunnel *, borrowed: the tunnels not yet
                                    closed or failed */
  short revents;                 /* of its socket, from the latest poll */
  FleetFailure failure;          /* once failed, kept for the rest of the run */
  char *message;
} FleetJump;

struct FleetTunnel {
  FleetJump *jump;               /* NULL when the jump host is not in the plan */
  char *target;                  /* the address the jump host connects to */
  guint16 port;
  TunnelStage stage;
  ssh_channel channel;           /* non-NULL only while the jump's session lives */
  struct ssh_channel_callbacks_struct callbacks;
  int socket_fd;                 /* our end of the socket pair, -1 once closed */
  short revents;                 /* of socket_fd, from the latest poll */
  gint64 opening_us;
  gboolean reading_channel;      /* inside ssh_channel_read_nonblocking() */
  gsize channel_backlog;         /* bytes of channel data that did not fit, which
                                    libssh keeps for read_channel_backlog() */
  gboolean channel_eof;          /* the jump host sent EOF or closed the channel */
  TunnelBuffer to_socket;        /* channel data on its way to the host's session */
  TunnelBuffer to_channel;       /* session data on its way to the channel */
  FleetFailure failure;
  char *message;
};

/* Buffers */

static gsize
buffer_room (const TunnelBuffer *buffer)
{
  return TUNNEL_BUFFER_BYTES - buffer->length;
}

/* Append `length` bytes, at most buffer_room(). */
static void
buffer_append (TunnelBuffer *buffer, const void *data, gsize length)
{
  g_assert (length <= buffer_room (buffer));

  memcpy (buffer->data + buffer->length, data, length);
  buffer->length += length;
}

/* Drop the first `length` bytes.  The rest moves to the front, at most one
 * buffer's worth, so that appends never wrap. */
static void
buffer_consume (TunnelBuffer *buffer, gsize length)
{
  buffer->length -= length;
  memmove (buffer->data, buffer->data + length, buffer->length);
}

/* Channel callbacks, called by libssh while it processes the jump
 * session's packets. */

static int
on_channel_data (ssh_session session, ssh_channel channel, void *data, uint32_t length,
                 int is_stderr, void *user_data)
{
  FleetTunnel *tunnel = user_data;
  /* A direct-tcpip channel carries no extended data (RFC 4254, section
   * 7.2), so any is dropped: all of it is taken and none passed on.  While
   * read_channel_backlog() copies out of libssh's buffer, nothing is taken,
   * so that the two never write to_socket at once. */
  gsize room = is_stderr || tunnel->reading_channel ? 0 : buffer_room (&tunnel->to_socket);
  gsize accepted = MIN (length, room);

  /* libssh passes all the data it holds for the channel, so what is not
   * taken here is exactly what it keeps. */
  buffer_append (&tunnel->to_socket, data, accepted);
  if (!is_stderr)
    tunnel->channel_backlog = length - accepted;
  return is_stderr ? (int) length : (int) accepted;
}

static void
on_channel_eof (ssh_session session, ssh_channel channel, void *user_data)
{
  FleetTunnel *tunnel = user_data;

  tunnel->channel_eof = TRUE;
}

/* Jump hosts and the pool */

static const FleetHost *
find_jump_host (const FleetSshContext *context, const char *name)
{
  if (context->jump_hosts == NULL)
    return NULL;

  for (guint i = 0; i < context->jump_hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (context->jump_hosts, i);

      if (g_strcmp0 (host->name, name) == 0)
        return host;
    }
  return NULL;
}

static FleetJump *
find_jump (const FleetSshContext *context, const char *name)
{
  for (guint i = 0; i < context->jumps->len; i++)
    {
      FleetJump *jump = g_ptr_array_index (context->jumps, i);

      if (g_str_equal (jump->host->name, name))
        return jump;
    }
  return NULL;
}

/* Return NULL when every jump host on the way from `name` is known and the
 * way ends, or else the error.  Plan files are checked for this when read;
 * plans built in memory are not, and a cycle would make two jump
 * connections wait on each other with no deadline. */
static char *
check_jump_chain (const FleetSshContext *context, const char *name)
{
  guint max_hops = context->jump_hosts != NULL ? context->jump_hosts->len : 0;
  guint hops = 0;

  for (const char *next = name; next != NULL; )
    {
      const FleetHost *host = find_jump_host (context, next);

      if (host == NULL)
        return g_strdup_printf ("jump host \"%s\" is not among the plan's jump hosts; add it to "
                                "the inventory", next);
      if (++hops > max_hops)
        return g_strdup_printf ("the jump hosts from \"%s\" lead back to themselves (a "
                                "proxy_jump cycle)", name);
      next = host->proxy_jump;
    }
  return NULL;
}

static void
tunnel_release_channel (FleetTunnel *tunnel)
{
  if (tunnel->channel == NULL)
    return;

  /* NOTE: the jump host may still confirm a channel freed while its open
   * was pending.  That channel then stays open on the jump host until the
   * jump connection closes. */
  ssh_remove_channel_callbacks (tunnel->channel, &tunnel->callbacks);
  ssh_channel_free (tunnel->channel);
  tunnel->channel = NULL;
}

/* Stop moving bytes: close the channel and our socket, which the host's
 * session then reads as end of file. */
static void
tunnel_end (FleetTunnel *tunnel, TunnelStage stage)
{
  tunnel_release_channel (tunnel);
  if (tunnel->socket_fd >= 0)
    {
      close (tunnel->socket_fd);
      tunnel->socket_fd = -1;
    }
  if (tunnel->jump != NULL)
    g_ptr_array_remove (tunnel->jump->tunnels, tunnel);
  tunnel->stage = stage;
}

static void
tunnel_fail (FleetTunnel *tunnel, FleetFailure failure, char *message)
{
  tunnel_end (tunnel, TUNNEL_FAILED);
  tunnel->failure = failure;
  g_free (tunnel->message);
  tunnel->message = message;
}

static void
tunnel_fail_through_jump (FleetTunnel *tunnel)
{
  const FleetJump *jump = tunnel->jump;

  tunnel_fail (tunnel,
               tunnel->stage == TUNNEL_OPEN ? FLEET_FAILURE_CONNECTION_LOST : jump->failure,
               g_strdup_printf ("via jump host %s: %s", jump->host->name,
                                jump->message != NULL ? jump->message : "it failed"));
}

/* Close the jump's session.  Its tunnels must have released their channels
 * first. */
static void
jump_close (FleetJump *jump)
{
  if (jump->event != NULL)
    {
      if (jump->connection->session != NULL)
        ssh_event_remove_session (jump->event, jump->connection->session);
      ssh_event_free (jump->event);
      jump->event = NULL;
    }
  g_clear_pointer (&jump->connection, fleet_connection_free);
}

/* When the jump connection has failed, keep its cause, fail every tunnel
 * through it with that cause, and close it. */
static void
jump_check_failure (FleetJump *jump)
{
  g_autoptr(GPtrArray) tunnels = NULL;

  if (jump->connection == NULL
      || fleet_connection_get_state (jump->connection) != FLEET_CONNECTION_FAILED)
    return;

  jump->failure = fleet_connection_get_failure (jump->connection);
  jump->message = g_strdup (fleet_connection_get_message (jump->connection));

  tunnels = g_ptr_array_copy (jump->tunnels, NULL, NULL);
  for (guint i = 0; i < tunnels->len; i++)
    tunnel_fail_through_jump (g_ptr_array_index (tunnels, i));

  jump_close (jump);
}

/* Once the session is READY, its packets are read through an ssh_event:
 * a READY jump session has no call of its own that reads them, and the
 * channel calls read only while their own channel waits for data. */
static void
jump_watch_session (FleetJump *jump)
{
  ssh_session session = jump->connection->session;

  /* libssh 0.10 fails these for a connected session only when memory runs
   * out. */
  jump->event = fleet_oom_check (ssh_event_new (), "ssh_event_new");
  fleet_oom_check_status (ssh_event_add_session (jump->event, session) == SSH_OK,
                          "ssh_event_add_session");
}

/* Return the jump for `name` with one more use, opening its connection when
 * it is new; or NULL with `out_error` set. */
static FleetJump *
jump_acquire (FleetSshContext *context, const char *name, gint64 now_us, char **out_error)
{
  FleetJump *jump;

  *out_error = check_jump_chain (context, name);
  if (*out_error != NULL)
    return NULL;

  jump = find_jump (context, name);
  if (jump != NULL)
    {
      jump->users++;
      jump_check_failure (jump);
      return jump;
    }

  /* Added before its connection starts, so that a jump comes before the
   * jumps its own connection goes through: fleet_jump_pool_free() relies
   * on that order. */
  jump = g_new0 (FleetJump, 1);
  jump->context = context;
  jump->host = find_jump_host (context, name);
  jump->tunnels = g_ptr_array_new ();
  jump->users = 1;
  g_ptr_array_add (context->jumps, jump);

  jump->connection = fleet_connection_new (jump->host, context);
  fleet_connection_start (jump->connection, now_us);
  jump_check_failure (jump);
  return jump;
}

/* Free a jump that no tunnel uses: every tunnel counts as a user, so its
 * list of tunnels is empty. */
static void
jump_free (FleetJump *jump)
{
  g_warn_if_fail (jump->tunnels->len == 0);

  jump_close (jump);
  g_ptr_array_unref (jump->tunnels);
  g_free (jump->message);
  g_free (jump);
}

/* Close and remove every healthy jump that no tunnel uses.  Closing one
 * releases the tunnel its own connection went through, which may leave
 * another jump unused, so this repeats until nothing changes.  A failed
 * jump stays, so that later hosts behind it fail at once. */
static void
collect_unused_jumps (FleetSshContext *context)
{
  gboolean removed = TRUE;

  while (removed)
    {
      removed = FALSE;
      for (guint i = context->jumps->len; i > 0; i--)
        {
          FleetJump *jump = g_ptr_array_index (context->jumps, i - 1);

          if (jump->users > 0 || jump->failure != FLEET_FAILURE_NONE)
            continue;
          g_ptr_array_remove_index (context->jumps, i - 1);
          jump_free (jump);
          removed = TRUE;
        }
    }
}

void
fleet_jump_pool_free (FleetSshContext *context)
{
  collect_unused_jumps (context);

  /* What is left failed.  A jump still in use belongs to a connection
   * freed after its context, which the caller must not do.  Pool order
   * puts each jump before the jumps it goes through. */
  for (guint i = 0; i < context->jumps->len; i++)
    {
      FleetJump *jump = g_ptr_array_index (context->jumps, i);

      g_warn_if_fail (jump->users == 0);
      jump_free (jump);
    }
  g_ptr_array_set_size (context->jumps, 0);
}

void
fleet_ssh_context_set_jump_hosts (FleetSshContext *context, GPtrArray *jump_hosts)
{
  g_clear_pointer (&context->jump_hosts, g_ptr_array_unref);
  if (jump_hosts != NULL)
    context->jump_hosts = g_ptr_array_ref (jump_hosts);
}

/* Opening the channel */

static const char *
jump_user (const FleetJump *jump)
{
  return jump->host->user != NULL ? jump->host->user : g_get_user_name ();
}

/* Return the reason code in libssh's "Channel opening failure: channel N
 * error (CODE) TEXT", or 0. */
static guint
open_failure_reason (const char *text)
{
  const char *code = strstr (text, "error (");

  return code != NULL ? (guint) strtoul (code + strlen ("error ("), NULL, 10) : 0;
}

static void
tunnel_open_refused (FleetTunnel *tunnel, const char *text)
{
  const FleetJump *jump = tunnel->jump;

  /* OpenSSH's sshd rejects a direct-tcpip open with one of two reasons:
   * "connect failed" when the target is out of its reach, "administratively
   * prohibited" when its settings forbid forwarding.  A reason from another
   * server gets the message for the second, which quotes the server's
   * text. */
  if (open_failure_reason (text) == OPEN_CONNECT_FAILED)
    tunnel_fail (tunnel, fleet_classify_connect_error (text),
                 g_strdup_printf ("jump host %s cannot connect to %s port %u: %s; check that "
                                  "the host listens there and that the jump host can reach it",
                                  jump->host->name, tunnel->target, tunnel->port, text));
  else
    tunnel_fail (tunnel, FLEET_FAILURE_CHANNEL,
                 g_strdup_printf ("jump host %s refused to forward a connection to %s port %u "
                                  "(%s); allow TCP forwarding for user %s in its sshd "
                                  "(AllowTcpForwarding, PermitOpen, DisableForwarding)",
                                  jump->host->name, tunnel->target, tunnel->port, text,
                                  jump_user (jump)));
}

static gboolean
jump_is_ready (const FleetJump *jump)
{
  return jump->connection != NULL && jump->event != NULL
         && fleet_connection_get_state (jump->connection) == FLEET_CONNECTION_READY;
}

static void
tunnel_begin_open (FleetTunnel *tunnel, gint64 now_us)
{
  ssh_session session = tunnel->jump->connection->session;

  /* On the authenticated session of a READY jump, libssh 0.10 returns NULL
   * only when memory runs out. */
  tunnel->channel = fleet_oom_check (ssh_channel_new (session), "ssh_channel_new");

  tunnel->callbacks = (struct ssh_channel_callbacks_struct) {
    .userdata = tunnel,
    .channel_data_function = on_channel_data,
    .channel_eof_function = on_channel_eof,
    .channel_close_function = on_channel_eof,
  };
  ssh_callbacks_init (&tunnel->callbacks);
  ssh_set_channel_callbacks (tunnel->channel, &tunnel->callbacks);
  tunnel->opening_us = now_us;
  tunnel->stage = TUNNEL_OPENING;
}

static void
tunnel_continue_open (FleetTunnel *tunnel)
{
  ssh_session session = tunnel->jump->connection->session;
  int rc = ssh_channel_open_forward (tunnel->channel, tunnel->target, tunnel->port,
                                     TUNNEL_ORIGINATOR, 0);

  if (rc == SSH_OK)
    tunnel->stage = TUNNEL_OPEN;
  else if (rc != SSH_AGAIN && ssh_is_connected (session))
    tunnel_open_refused (tunnel, ssh_get_error (session));
  /* A session that broke fails every tunnel through the jump_check_failure()
   * that follows. */
}

/* Moving bytes */

/* Copy out what libssh held back while to_socket was full. */
static void
read_channel_backlog (FleetTunnel *tunnel)
{
  char chunk[TUNNEL_BUFFER_BYTES];
  gsize wanted = MIN (buffer_room (&tunnel->to_socket), tunnel->channel_backlog);
  int n;

  /* Reading no more than libssh holds keeps the read from waiting for, or
   * processing, new packets. */
  tunnel->reading_channel = TRUE;
  n = ssh_channel_read_nonblocking (tunnel->channel, chunk, (uint32_t) wanted, 0);
  tunnel->reading_channel = FALSE;

  /* NOTE: with bytes held, the read fails only when the jump session broke,
   * which jump_check_failure() reports; the held bytes are dropped then. */
  n = MAX (n, 0);
  buffer_append (&tunnel->to_socket, chunk, n);
  tunnel->channel_backlog = n > 0 ? tunnel->channel_backlog - n : 0;
}

/* Channel to socket: pass on what the channel delivered, and end the
 * tunnel once the jump host ended the channel and everything is passed. */
static void
move_to_socket (FleetTunnel *tunnel)
{
  for (;;)
    {
      ssize_t sent;

      if (tunnel->channel_backlog > 0 && buffer_room (&tunnel->to_socket) > 0)
        read_channel_backlog (tunnel);
      if (tunnel->to_socket.length == 0)
        break;

      sent = send (tunnel->socket_fd, tunnel->to_socket.data,
                   tunnel->to_socket.length, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
      if (sent <= 0)
        {
          /* The host's session closed its end: it is gone. */
          tunnel_end (tunnel, TUNNEL_CLOSED);
          return;
        }
      buffer_consume (&tunnel->to_socket, sent);
    }

  if (tunnel->channel_eof && tunnel->channel_backlog == 0)
    tunnel_end (tunnel, TUNNEL_CLOSED);
}

/* Socket to channel: read the session's bytes when the poll said so and
 * there is room, and write them within the channel window while the jump
 * session has nothing else queued.  libssh queues every write it cannot
 * send at once, so waiting for an empty queue keeps its memory bounded. */
static void
move_to_channel (FleetTunnel *tunnel)
{
  ssh_session session = tunnel->jump->connection->session;
  gboolean session_closed = FALSE;

  if (tunnel->to_channel.length == 0 && (tunnel->revents & (POLLIN | POLLHUP | POLLERR)) != 0)
    {
      ssize_t received = recv (tunnel->socket_fd, tunnel->to_channel.data,
                               TUNNEL_BUFFER_BYTES, MSG_DONTWAIT);

      if (received > 0)
        tunnel->to_channel.length = received;
      else if (received == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        session_closed = TRUE;
    }

  while (tunnel->to_channel.length > 0 && (ssh_get_poll_flags (session) & SSH_WRITE_PENDING) == 0)
    {
      uint32_t window = ssh_channel_window_size (tunnel->channel);
      int written = window > 0 ? ssh_channel_write (tunnel->channel,
                                                    tunnel->to_channel.data,
                                                    (uint32_t) MIN (tunnel->to_channel.length,
                                                                    window))
                                : 0;

      if (written == SSH_ERROR)
        {
          /* A broken session fails the tunnel through the jump; a closed
           * channel means the host side is gone. */
          if (ssh_is_connected (session))
            tunnel_end (tunnel, TUNNEL_CLOSED);
          return;
        }
      /* Nothing went out: the jump host's window is full, or libssh takes
       * nothing during a key re-exchange.  The rest waits for the next
       * pass. */
      if (written == 0)
        break;
      buffer_consume (&tunnel->to_channel, written);
    }

  /* End of file means the session is gone, because libssh does not
   * half-close its socket (libssh 0.10.6 does not even link shutdown()).
   * ssh_channel_free() then sends EOF and CLOSE to the jump host. */
  if (session_closed)
    tunnel_end (tunnel, TUNNEL_CLOSED);
}

static void
tunnel_pump (FleetTunnel *tunnel, gint64 now_us)
{
  if (tunnel->stage == TUNNEL_WAITING)
    tunnel_begin_open (tunnel, now_us);
  if (tunnel->stage == TUNNEL_OPENING)
    tunnel_continue_open (tunnel);
  if (tunnel->stage == TUNNEL_OPEN)
    move_to_socket (tunnel);
  if (tunnel->stage == TUNNEL_OPEN)
    move_to_channel (tunnel);
  tunnel->revents = 0;
}

/* Tunnels */

FleetTunnel *
fleet_tunnel_new (FleetSshContext *context, const FleetHost *host, gint64 now_us, int *out_fd)
{
  FleetTunnel *tunnel;
  g_autofree char *error = NULL;
  int pair[2];

  g_return_val_if_fail (host->proxy_jump != NULL, NULL);

  tunnel = g_new0 (FleetTunnel, 1);
  tunnel->target = g_strdup (host->address != NULL ? host->address : host->name);
  tunnel->port = host->port;
  tunnel->socket_fd = -1;
  tunnel->stage = TUNNEL_WAITING;
  *out_fd = -1;

  tunnel->jump = jump_acquire (context, host->proxy_jump, now_us, &error);
  if (tunnel->jump == NULL)
    {
      tunnel_fail (tunnel, FLEET_FAILURE_CONNECTION_FAILED, g_steal_pointer (&error));
      return tunnel;
    }
  if (tunnel->jump->connection == NULL)
    {
      tunnel_fail_through_jump (tunnel);
      return tunnel;
    }

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
    {
      int saved_errno = errno;

      tunnel_fail (tunnel, FLEET_FAILURE_CONNECTION_FAILED,
                   g_strdup_printf ("cannot create a socket pair for the tunnel through jump "
                                    "host %s: %s", host->proxy_jump, g_strerror (saved_errno)));
      return tunnel;
    }
  tunnel->socket_fd = pair[0];
  *out_fd = pair[1];
  g_ptr_array_add (tunnel->jump->tunnels, tunnel);

  /* Through a jump that is already up, the open goes out now rather than
   * at the next fleet_ssh_context_process(). */
  if (jump_is_ready (tunnel->jump))
    tunnel_pump (tunnel, now_us);
  return tunnel;
}

void
fleet_tunnel_free (FleetTunnel *tunnel)
{
  if (tunnel == NULL)
    return;

  tunnel_end (tunnel, TUNNEL_CLOSED);
  if (tunnel->jump != NULL)
    tunnel->jump->users--;

  g_free (tunnel->target);
  g_free (tunnel->message);
  g_free (tunnel);
}

FleetFailure
fleet_tunnel_get_failure (const FleetTunnel *tunnel)
{
  return tunnel->failure;
}

const char *
fleet_tunnel_get_message (const FleetTunnel *tunnel)
{
  return tunnel->message;
}

gint64
fleet_tunnel_get_opening_us (const FleetTunnel *tunnel)
{
  return tunnel->opening_us;
}

/* The context's event loop interface */

static short
tunnel_poll_events (const FleetTunnel *tunnel)
{
  short events = 0;

  if (tunnel->stage != TUNNEL_OPEN || tunnel->socket_fd < 0)
    return 0;
  if (tunnel->to_channel.length == 0)
    events |= POLLIN;
  if (tunnel->to_socket.length > 0)
    events |= POLLOUT;
  return events;
}

/* Walk the descriptors in their fixed order: each live jump connection,
 * then the tunnels through it.  Fills `fds` when it is not NULL, stores the
 * revents of `results` when that is not NULL, and returns the count.  A
 * tunnel with nothing to wait for gets fd -1, so that a hang-up it cannot
 * act on yet does not wake the loop again and again. */
static guint
walk_pollfds (FleetSshContext *context, struct pollfd *fds, const struct pollfd *results)
{
  guint n = 0;

  /* The handshake pool's notifier comes first; fleet_ssh_context_process()
   * collects the pool whatever its revents. */
  if (context->handshakes != NULL)
    {
      if (fds != NULL)
        fds[n] = (struct pollfd) { .fd = fleet_handshake_pool_get_notify_fd (context->handshakes),
                                   .events = POLLIN };
      n++;
    }

  for (guint i = 0; i < context->jumps->len; i++)
    {
      FleetJump *jump = g_ptr_array_index (context->jumps, i);

      if (jump->connection == NULL)
        continue;

      if (fds != NULL)
        {
          fds[n].fd = fleet_connection_get_fd (jump->connection);
          fds[n].events = fds[n].fd >= 0 ? fleet_connection_get_poll_events (jump->connection)
                                         : 0;
          fds[n].revents = 0;
        }
      if (results != NULL)
        jump->revents = results[n].revents;
      n++;

      for (guint t = 0; t < jump->tunnels->len; t++)
        {
          FleetTunnel *tunnel = g_ptr_array_index (jump->tunnels, t);

          if (fds != NULL)
            {
              fds[n].events = tunnel_poll_events (tunnel);
              fds[n].fd = fds[n].events != 0 ? tunnel->socket_fd : -1;
              fds[n].revents = 0;
            }
          if (results != NULL)
            tunnel->revents = results[n].revents;
          n++;
        }
    }
  return n;
}

guint
fleet_ssh_context_get_pollfds (FleetSshContext *context, struct pollfd *pollfds)
{
  return walk_pollfds (context, pollfds, NULL);
}

static void
jump_process (FleetJump *jump, gint64 now_us)
{
  FleetConnection *connection = jump->connection;

  if (jump->event != NULL && jump->revents != 0)
    ssh_event_dopoll (jump->event, 0);

  fleet_connection_process (connection, now_us, jump->revents);
  jump->revents = 0;

  if (fleet_connection_get_state (connection) == FLEET_CONNECTION_READY && jump->event == NULL)
    jump_watch_session (jump);
  jump_check_failure (jump);
}

static void
jump_pump_tunnels (FleetJump *jump, gint64 now_us)
{
  g_autoptr(GPtrArray) tunnels = g_ptr_array_copy (jump->tunnels, NULL, NULL);

  for (guint i = 0; i < tunnels->len; i++)
    tunnel_pump (g_ptr_array_index (tunnels, i), now_us);

  /* A session that broke while the tunnels used it fails now, with the
   * jump host's cause, instead of at the next pass. */
  if (jump->connection != NULL && !ssh_is_connected (jump->connection->session))
    {
      fleet_connection_process (jump->connection, now_us, 0);
      jump_check_failure (jump);
    }
}

void
fleet_ssh_context_process (FleetSshContext *context, gint64 now_us,
                           const struct pollfd *pollfds, guint n_pollfds)
{
  g_return_if_fail (n_pollfds == walk_pollfds (context, NULL, NULL));

  walk_pollfds (context, NULL, pollfds);
  if (context->handshakes != NULL)
    fleet_handshake_pool_collect (context->handshakes);

  /* Jumps are never removed before collect_unused_jumps(), and jumps added
   * meanwhile go to the end, so the index stays valid. */
  for (guint i = 0; i < context->jumps->len; i++)
    {
      FleetJump *jump = g_ptr_array_index (context->jumps, i);

      if (jump->connection != NULL)
        jump_process (jump, now_us);
    }

  for (guint i = 0; i < context->jumps->len; i++)
    {
      FleetJump *jump = g_ptr_array_index (context->jumps, i);

      if (jump_is_ready (jump))
        jump_pump_tunnels (jump, now_us);
    }

  collect_unused_jumps (context);
}

gint64
fleet_ssh_context_deadline_us (const FleetSshContext *context)
{
  gint64 deadline = G_MAXINT64;

  for (guint i = 0; i < context->jumps->len; i++)
    {
      const FleetJump *jump = g_ptr_array_index (context->jumps, i);

      if (jump->connection != NULL)
        deadline = MIN (deadline, fleet_connection_deadline_us (jump->connection));
    }
  return deadline;
}
