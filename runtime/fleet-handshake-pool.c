/* fleet-handshake-pool.c: the worker threads of fleet-handshake-pool.h.
 *
 * Each worker owns an inbox, filled by the owner's thread under the pool's
 * mutex, and a list of the connections it drives, which only the worker
 * touches.  Finished connections go to the pool's `done` list, again under
 * the mutex, and an eventfd wakes the owner.  A second eventfd per worker
 * wakes the worker for new or cancelled connections and for shutdown.
 */
#include "runtime/fleet-ssh-private.h"

#include <poll.h>
#include <unistd.h>
#include <sys/eventfd.h>

/* Like the owner's loop, every connection is processed at least this often,
 * so that data libssh has already read from the socket does not wait for
 * the next poll() wake-up. */
#define WORKER_SWEEP_INTERVAL_US (200 * 1000)

typedef struct {
  FleetHandshakePool *pool;
  GThread *thread;
  int wake_fd;                   /* eventfd, or -1: then the worker wakes every sweep */
  GPtrArray *inbox;              /* FleetConnection *, under pool->lock */
  guint load;                    /* connections in inbox or driven, under pool->lock */
} HandshakeWorker;

struct FleetHandshakePool {
  GMutex lock;
  GCond handed_back;             /* a connection went to `done` */
  const FleetClock *clock;
  HandshakeWorker *workers;
  guint n_workers;
  GPtrArray *done;               /* FleetConnection *, under lock */
  int notify_fd;                 /* eventfd, or -1 */
  gboolean stopping;             /* under lock */
};

/* Writing to an eventfd fails only when its counter would overflow, and
 * reading only when the counter is 0; in both cases the reader is already
 * due to wake, or has nothing to do, so the results are not checked. */
static void
signal_eventfd (int fd)
{
  guint64 increment = 1;

  if (fd >= 0)
    {
      ssize_t written = write (fd, &increment, sizeof increment);
      (void) written;
    }
}

static void
drain_eventfd (int fd)
{
  guint64 count;

  if (fd >= 0)
    {
      ssize_t got = read (fd, &count, sizeof count);
      (void) got;
    }
}

/* Called by a worker: give `connection` back to the owner. */
static void
hand_back (HandshakeWorker *worker, FleetConnection *connection)
{
  FleetHandshakePool *pool = worker->pool;

  g_mutex_lock (&pool->lock);
  g_ptr_array_add (pool->done, connection);
  worker->load--;
  g_cond_broadcast (&pool->handed_back);
  g_mutex_unlock (&pool->lock);

  signal_eventfd (pool->notify_fd);
}

/* Move the inbox into `active`, then hand back the connections the owner
 * wants back.  Returns FALSE when the pool is stopping. */
static gboolean
take_inbox (HandshakeWorker *worker, GPtrArray *active)
{
  FleetHandshakePool *pool = worker->pool;
  gboolean stopping;

  g_mutex_lock (&pool->lock);
  stopping = pool->stopping;
  g_ptr_array_extend_and_steal (active, g_steal_pointer (&worker->inbox));
  worker->inbox = g_ptr_array_new ();
  g_mutex_unlock (&pool->lock);

  for (guint i = active->len; i > 0; i--)
    {
      FleetConnection *connection = g_ptr_array_index (active, i - 1);

      if (g_atomic_int_get (&connection->cancel_handshake))
        {
          g_ptr_array_remove_index_fast (active, i - 1);
          hand_back (worker, connection);
        }
    }
  return !stopping;
}

/* Wait for a socket of `active`, a deadline, the sweep or a wake-up.  The
 * revents of active[i] are left in fds[i + 1]. */
static void
wait_for_sockets (HandshakeWorker *worker, GPtrArray *active, GArray *fds,
                  gint64 next_sweep_us)
{
  gint64 wake_us = next_sweep_us;
  gint64 now_us;
  int timeout_ms;

  g_array_set_size (fds, active->len + 1);
  g_array_index (fds, struct pollfd, 0) = (struct pollfd) { .fd = worker->wake_fd,
                                                           .events = POLLIN };
  for (guint i = 0; i < active->len; i++)
    {
      const FleetConnection *connection = g_ptr_array_index (active, i);
      struct pollfd *entry = &g_array_index (fds, struct pollfd, i + 1);

      entry->fd = fleet_connection_session_fd (connection);
      entry->events = entry->fd >= 0 ? fleet_connection_session_events (connection) : 0;
      entry->revents = 0;
      wake_us = MIN (wake_us, fleet_connection_session_deadline_us (connection));
    }

  now_us = fleet_clock_monotonic_us (worker->pool->clock);
  timeout_ms = wake_us <= now_us ? 0 : (int) ((wake_us - now_us + 999) / 1000);
  /* poll fails on a signal (EINTR), when the kernel is out of memory
   * (ENOMEM), or when the open file limit was lowered below the number of
   * entries (EINVAL).  Every revents then stays 0, and the caller advances
   * the connections whose deadline passed and polls again, so each
   * handshake still ends by its deadline and the result is not needed.
   * NOTE: a poll that keeps failing makes this thread spin until then. */
  (void) poll ((struct pollfd *) fds->data, fds->len, timeout_ms);

  if (g_array_index (fds, struct pollfd, 0).revents != 0)
    drain_eventfd (worker->wake_fd);
}

static gpointer
worker_main (gpointer data)
{
  HandshakeWorker *worker = data;
  g_autoptr(GPtrArray) active = g_ptr_array_new ();
  g_autoptr(GArray) fds = g_array_new (FALSE, TRUE, sizeof (struct pollfd));
  gint64 next_sweep_us = fleet_clock_monotonic_us (worker->pool->clock)
                         + WORKER_SWEEP_INTERVAL_US;

  while (take_inbox (worker, active))
    {
      gint64 now_us;
      gboolean sweep;

      wait_for_sockets (worker, active, fds, next_sweep_us);

      now_us = fleet_clock_monotonic_us (worker->pool->clock);
      sweep = now_us >= next_sweep_us;

      /* In reverse, so that removing entry i moves an entry already seen. */
      for (guint i = active->len; i > 0; i--)
        {
          FleetConnection *connection = g_ptr_array_index (active, i - 1);
          short revents = g_array_index (fds, struct pollfd, i).revents;

          if (revents == 0 && !sweep
              && now_us < fleet_connection_session_deadline_us (connection))
            continue;

          fleet_connection_advance (connection, now_us, revents);
          if (fleet_connection_handshake_ended (connection))
            {
              g_ptr_array_remove_index_fast (active, i - 1);
              hand_back (worker, connection);
            }
        }

      if (sweep)
        next_sweep_us = now_us + WORKER_SWEEP_INTERVAL_US;
    }

  /* The owner collects or reclaims every connection before it stops the
   * pool, so `active` is empty here. */
  return NULL;
}

/* libssh initializes its cryptography once per process; with threads it
 * must be done before any of them uses a session.  It fails only when the
 * cryptography library cannot start, and then every session fails with
 * libssh's own error. */
static void
init_libssh_once (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      int rc = ssh_init ();
      (void) rc;
      g_once_init_leave (&initialized, 1);
    }
}

FleetHandshakePool *
fleet_handshake_pool_new (guint n_workers, const FleetClock *clock)
{
  FleetHandshakePool *pool = g_new0 (FleetHandshakePool, 1);

  g_return_val_if_fail (n_workers > 0, NULL);

  init_libssh_once ();
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->handed_back);
  pool->clock = clock;
  pool->done = g_ptr_array_new ();
  pool->notify_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  pool->n_workers = n_workers;
  pool->workers = g_new0 (HandshakeWorker, n_workers);

  for (guint i = 0; i < n_workers; i++)
    {
      HandshakeWorker *worker = &pool->workers[i];

      worker->pool = pool;
      worker->inbox = g_ptr_array_new ();
      worker->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
      worker->thread = g_thread_new ("ssh-handshake", worker_main, worker);
    }
  return pool;
}

void
fleet_handshake_pool_free (FleetHandshakePool *pool)
{
  g_mutex_lock (&pool->lock);
  pool->stopping = TRUE;
  g_mutex_unlock (&pool->lock);

  for (guint i = 0; i < pool->n_workers; i++)
    {
      HandshakeWorker *worker = &pool->workers[i];

      signal_eventfd (worker->wake_fd);
      g_thread_join (worker->thread);
      g_ptr_array_unref (worker->inbox);
      if (worker->wake_fd >= 0)
        close (worker->wake_fd);
    }

  if (pool->notify_fd >= 0)
    close (pool->notify_fd);
  g_ptr_array_unref (pool->done);
  g_cond_clear (&pool->handed_back);
  g_mutex_clear (&pool->lock);
  g_free (pool->workers);
  g_free (pool);
}

void
fleet_handshake_pool_submit (FleetHandshakePool *pool, FleetConnection *connection)
{
  HandshakeWorker *chosen = &pool->workers[0];

  g_return_if_fail (!connection->pooled);

  connection->pooled = TRUE;
  connection->landed = FALSE;
  g_atomic_int_set (&connection->cancel_handshake, 0);

  g_mutex_lock (&pool->lock);
  for (guint i = 1; i < pool->n_workers; i++)
    if (pool->workers[i].load < chosen->load)
      chosen = &pool->workers[i];
  connection->pool_worker = (guint) (chosen - pool->workers);
  chosen->load++;
  g_ptr_array_add (chosen->inbox, connection);
  g_mutex_unlock (&pool->lock);

  signal_eventfd (chosen->wake_fd);
}

/* Make a connection taken from `done` the owner's again.  Called with the
 * lock held. */
static void
land (FleetConnection *connection)
{
  connection->pooled = FALSE;
  connection->landed = TRUE;
}

guint
fleet_handshake_pool_collect (FleetHandshakePool *pool)
{
  guint n;

  drain_eventfd (pool->notify_fd);

  g_mutex_lock (&pool->lock);
  n = pool->done->len;
  for (guint i = 0; i < n; i++)
    land (g_ptr_array_index (pool->done, i));
  g_ptr_array_set_size (pool->done, 0);
  g_mutex_unlock (&pool->lock);
  return n;
}

void
fleet_handshake_pool_reclaim (FleetHandshakePool *pool, FleetConnection *connection)
{
  HandshakeWorker *worker = &pool->workers[connection->pool_worker];

  g_return_if_fail (connection->pooled);

  /* The worker hands a cancelled connection back whether it was still in
   * its inbox or already being driven, or it was handed back already. */
  g_atomic_int_set (&connection->cancel_handshake, 1);
  signal_eventfd (worker->wake_fd);

  g_mutex_lock (&pool->lock);
  while (!g_ptr_array_remove (pool->done, connection))
    g_cond_wait (&pool->handed_back, &pool->lock);
  land (connection);
  g_mutex_unlock (&pool->lock);
}

int
fleet_handshake_pool_get_notify_fd (const FleetHandshakePool *pool)
{
  return pool->notify_fd;
}
