/* test-agent-filter.c: the ssh-agent filter that identities_only hosts log
 * in through, against a scripted agent on a Unix socket.
 *
 * test-auth.c covers the filter with a real ssh-agent and sshd.  These
 * cases send what a real agent does not: a key list the filter must cut,
 * replies that break the protocol, and a client that does.  The scripted
 * agent sends the next reply of its script for each request, then closes
 * the connection; an empty reply closes it after reading the request.
 */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/fleet-agent-filter.h"
#include "tests/test-helpers.h"

#define REQUEST_IDENTITIES 11
#define IDENTITIES_ANSWER 12
#define SIGN_REQUEST 13
#define SIGN_RESPONSE 14

typedef struct {
  char *dir;
  char *socket_path;
  int listen_fd;
  GPtrArray *replies;          /* GBytes *, sent in order, one per request */
  GThread *thread;
} ScriptedAgent;

static void
put_uint32 (GByteArray *out, guint32 value)
{
  guint8 bytes[4] = { value >> 24, value >> 16, value >> 8, value };

  g_byte_array_append (out, bytes, sizeof bytes);
}

static void
put_string (GByteArray *out, const char *text)
{
  put_uint32 (out, strlen (text));
  g_byte_array_append (out, (const guint8 *) text, strlen (text));
}

/* Return a message of `type` with `body`, length prefix included. */
static GBytes *
message (guint8 type, const GByteArray *body)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  put_uint32 (out, 1 + (body != NULL ? body->len : 0));
  g_byte_array_append (out, &type, 1);
  if (body != NULL)
    g_byte_array_append (out, body->data, body->len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Return an identities answer listing `blobs` (NULL-terminated), each with
 * the comment "c", and claiming `count` keys. */
static GBytes *
identities_answer (guint32 count, const char * const *blobs)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  put_uint32 (body, count);
  for (const char * const *blob = blobs; *blob != NULL; blob++)
    {
      put_string (body, *blob);
      put_string (body, "c");
    }
  return message (IDENTITIES_ANSWER, body);
}

static gboolean
read_all (int fd, guint8 *data, gsize length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t n = read (fd, data + done, length - done);

      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

/* Read one message from `fd`; NULL on end of file. */
static GBytes *
read_message (int fd)
{
  guint8 prefix[4];
  guint32 length;
  g_autofree guint8 *data = NULL;

  if (!read_all (fd, prefix, sizeof prefix))
    return NULL;
  length = (guint32) prefix[0] << 24 | prefix[1] << 16 | prefix[2] << 8 | prefix[3];
  data = g_malloc (length);
  if (!read_all (fd, data, length))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), length);
}

static void
write_bytes (int fd, GBytes *bytes)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpint (write (fd, data, length), ==, (gssize) length);
}

static gpointer
serve_script (gpointer data)
{
  ScriptedAgent *agent = data;
  int fd = accept (agent->listen_fd, NULL, NULL);

  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; i < agent->replies->len; i++)
    {
      g_autoptr(GBytes) request = read_message (fd);

      if (request == NULL || g_bytes_get_size (g_ptr_array_index (agent->replies, i)) == 0)
        break;
      write_bytes (fd, g_ptr_array_index (agent->replies, i));
    }
  close (fd);
  return NULL;
}

/* Start an agent that sends `replies` (GBytes *, taken). */
static ScriptedAgent *
scripted_agent_new (GPtrArray *replies)
{
  ScriptedAgent *agent = g_new0 (ScriptedAgent, 1);
  struct sockaddr_un address = { .sun_family = AF_UNIX };

  agent->dir = fleet_test_make_dir ("fleet-agent-filter-XXXXXX");
  agent->socket_path = g_build_filename (agent->dir, "agent.sock", NULL);
  agent->replies = replies;
  g_assert_cmpuint (strlen (agent->socket_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, agent->socket_path);
  agent->listen_fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (bind (agent->listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (agent->listen_fd, 1), ==, 0);
  agent->thread = g_thread_new ("scripted-agent", serve_script, agent);
  return agent;
}

static void
scripted_agent_free (ScriptedAgent *agent)
{
  g_thread_join (agent->thread);
  close (agent->listen_fd);
  fleet_test_remove_tree (agent->dir);
  g_ptr_array_unref (agent->replies);
  g_free (agent->socket_path);
  g_free (agent->dir);
  g_free (agent);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScriptedAgent, scripted_agent_free)

static GPtrArray *
allowed_blobs (const char * const *blobs)
{
  GPtrArray *allowed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (const char * const *blob = blobs; *blob != NULL; blob++)
    g_ptr_array_add (allowed, g_bytes_new (*blob, strlen (*blob)));
  return allowed;
}

/* Start a filter in front of `agent` that allows `blobs`; returns the
 * client's descriptor. */
static FleetAgentFilter *
start_filter (ScriptedAgent *agent, const char * const *blobs, int *out_fd)
{
  g_autoptr(GPtrArray) allowed = allowed_blobs (blobs);
  g_autoptr(GError) error = NULL;
  FleetAgentFilter *filter = fleet_agent_filter_new (agent->socket_path, allowed, &error);

  g_assert_no_error (error);
  *out_fd = fleet_agent_filter_steal_fd (filter);
  g_assert_cmpint (*out_fd, >=, 0);
  return filter;
}

/* The key list keeps the allowed keys only, in the agent's order; other
 * requests and replies pass unchanged. */
static void
test_filter_cuts_key_list (void)
{
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(ScriptedAgent) agent = NULL;
  g_autoptr(FleetAgentFilter) filter = NULL;
  g_autoptr(GBytes) expected = identities_answer (2, (const char *[]) { "key-b", "key-c", NULL });
  g_autoptr(GBytes) request = message (REQUEST_IDENTITIES, NULL);
  g_autoptr(GBytes) sign = message (SIGN_REQUEST, NULL);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) signature = NULL;
  int fd;

  g_ptr_array_add (replies, identities_answer (3, (const char *[]) { "key-a", "key-b", "key-c",
                                                                     NULL }));
  g_ptr_array_add (replies, message (SIGN_RESPONSE, NULL));
  agent = scripted_agent_new (g_ptr_array_ref (replies));
  filter = start_filter (agent, (const char *[]) { "key-c", "key-b", "key-z", NULL }, &fd);
  g_assert_cmpuint (fleet_agent_filter_get_matched (filter), ==, 0);

  write_bytes (fd, request);
  reply = read_message (fd);
  g_assert_nonnull (reply);
  g_assert_cmpmem (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                   (const guint8 *) g_bytes_get_data (expected, NULL) + 4,
                   g_bytes_get_size (expected) - 4);
  g_assert_cmpuint (fleet_agent_filter_get_matched (filter), ==, 2);

  write_bytes (fd, sign);
  signature = read_message (fd);
  g_assert_nonnull (signature);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 1);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (signature, NULL))[0], ==, SIGN_RESPONSE);
  close (fd);
}

/* A reply that breaks the protocol ends the relay: the client reads end of
 * file rather than a list the filter could not check. */
static void
test_filter_rejects_broken_replies (void)
{
  g_autoptr(GByteArray) no_comment = g_byte_array_new ();
  GBytes *broken[] = {
    identities_answer (2, (const char *[]) { "key-a", NULL }),  /* a key short */
    message (IDENTITIES_ANSWER, NULL),                           /* no count */
    NULL,                                                        /* a key without comment */
    g_bytes_new (NULL, 0),                     /* the agent reads the request, then closes */
    NULL,                                      /* the agent closes before the request */
  };

  put_uint32 (no_comment, 1);
  put_string (no_comment, "key-a");
  broken[2] = message (IDENTITIES_ANSWER, no_comment);

  for (guint i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_bytes_unref);
      g_autoptr(ScriptedAgent) agent = NULL;
      g_autoptr(FleetAgentFilter) filter = NULL;
      g_autoptr(GBytes) request = message (REQUEST_IDENTITIES, NULL);
      g_autoptr(GBytes) reply = NULL;
      int fd;

      if (broken[i] != NULL)
        g_ptr_array_add (replies, broken[i]);
      agent = scripted_agent_new (g_ptr_array_ref (replies));
      filter = start_filter (agent, (const char *[]) { "key-a", NULL }, &fd);

      write_bytes (fd, request);
      reply = read_message (fd);
      g_assert_null (reply);
      close (fd);
    }
}

/* A message from the client that is empty, longer than the protocol's
 * limit or cut short ends the relay before anything reaches the agent. */
static void
test_filter_rejects_broken_requests (void)
{
  const guint8 prefixes[][4] = {
    { 0x00, 0x04, 0x00, 0x01 },   /* 256 KiB + 1 */
    { 0x00, 0x00, 0x00, 0x00 },   /* empty */
    { 0x00, 0x00, 0x00, 0x09 },   /* longer than what follows */
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func (
        (GDestroyNotify) g_bytes_unref);
      g_autoptr(ScriptedAgent) agent = NULL;
      g_autoptr(FleetAgentFilter) filter = NULL;
      g_autoptr(GBytes) reply = NULL;
      int fd;

      agent = scripted_agent_new (g_ptr_array_ref (replies));
      filter = start_filter (agent, (const char *[]) { "key-a", NULL }, &fd);

      /* The filter may close before the second write, which then fails. */
      g_assert_cmpint (write (fd, prefixes[i], 4), ==, 4);
      (void) write (fd, "\x0b", 1);
      shutdown (fd, SHUT_WR);
      reply = read_message (fd);
      g_assert_null (reply);
      close (fd);
    }
}

/* Return the lowest descriptor number that is not open. */
static int
lowest_free_fd (void)
{
  int fd = dup (STDIN_FILENO);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  return fd;
}

/* Return which of the descriptors 0 to 63 are open, one bit each. */
static guint64
open_fds (void)
{
  guint64 open = 0;

  for (int fd = 0; fd < 64; fd++)
    if (fcntl (fd, F_GETFD) >= 0)
      open |= G_GUINT64_CONSTANT (1) << fd;
  return open;
}

/* Return a listening socket at `socket_path` that never accepts: connect()
 * succeeds once the backlog holds the connection, so no thread of the
 * agent opens a descriptor of its own. */
static int
listen_without_accepting (const char *socket_path)
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int listen_fd;

  g_assert_cmpuint (strlen (socket_path), <, sizeof address.sun_path);
  strcpy (address.sun_path, socket_path);
  listen_fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (bind (listen_fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (listen_fd, 1), ==, 0);
  return listen_fd;
}

/* A filter freed before its client's descriptor was stolen closes that
 * descriptor too: no descriptor of the filter stays open. */
static void
test_filter_free_closes_unstolen_fd (void)
{
  g_autofree char *dir = fleet_test_make_dir ("fleet-agent-filter-XXXXXX");
  g_autofree char *socket_path = g_build_filename (dir, "agent.sock", NULL);
  g_autoptr(GPtrArray) allowed = allowed_blobs ((const char *[]) { "key-a", NULL });
  g_autoptr(GError) error = NULL;
  int listen_fd = listen_without_accepting (socket_path);
  guint64 before = open_fds ();
  FleetAgentFilter *filter = fleet_agent_filter_new (socket_path, allowed, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (open_fds (), !=, before);
  fleet_agent_filter_free (filter);
  g_assert_cmpuint (open_fds (), ==, before);

  close (listen_fd);
  fleet_test_remove_tree (dir);
}

/* With one descriptor left, the agent's connection takes it and the
 * socket pair for libssh cannot be made: the error says so and the
 * agent's connection is closed again. */
static void
test_filter_out_of_descriptors (void)
{
  g_autofree char *dir = fleet_test_make_dir ("fleet-agent-filter-XXXXXX");
  g_autofree char *socket_path = g_build_filename (dir, "agent.sock", NULL);
  g_autoptr(GPtrArray) allowed = allowed_blobs ((const char *[]) { "key-a", NULL });
  g_autoptr(GError) error = NULL;
  int listen_fd = listen_without_accepting (socket_path);
  int first_free = lowest_free_fd ();
  struct rlimit saved;
  struct rlimit one_left;
  FleetAgentFilter *filter;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  one_left = saved;
  one_left.rlim_cur = (rlim_t) first_free + 1;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &one_left), ==, 0);
  filter = fleet_agent_filter_new (socket_path, allowed, &error);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);

  g_assert_null (filter);
  g_assert_error (error, G_IO_ERROR, (int) g_io_error_from_errno (EMFILE));
  g_assert_true (g_str_has_prefix (error->message, "cannot create a socket pair for ssh-agent: "));
  g_assert_cmpint (lowest_free_fd (), ==, first_free);

  close (listen_fd);
  fleet_test_remove_tree (dir);
}

static void
test_filter_agent_unreachable (void)
{
  g_autofree char *dir = fleet_test_make_dir ("fleet-agent-filter-XXXXXX");
  g_autofree char *missing = g_build_filename (dir, "none.sock", NULL);
  g_autofree char *long_path = g_strnfill (200, 'a');
  g_autoptr(GPtrArray) allowed = allowed_blobs ((const char *[]) { "key-a", NULL });
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("cannot connect to ssh-agent at %s: ", missing);

  g_assert_null (fleet_agent_filter_new (missing, allowed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, expected));
  g_clear_error (&error);

  g_assert_null (fleet_agent_filter_new (long_path, allowed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
  fleet_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/agent-filter/cuts-key-list", test_filter_cuts_key_list);
  g_test_add_func ("/agent-filter/broken-replies", test_filter_rejects_broken_replies);
  g_test_add_func ("/agent-filter/broken-requests", test_filter_rejects_broken_requests);
  g_test_add_func ("/agent-filter/agent-unreachable", test_filter_agent_unreachable);
  g_test_add_func ("/agent-filter/free-closes-unstolen-fd", test_filter_free_closes_unstolen_fd);
  g_test_add_func ("/agent-filter/out-of-descriptors", test_filter_out_of_descriptors);

  return g_test_run ();
}
