/* sandbox.c: start and stop scripts/sandbox-fleet fleets for tests. */
#include "tests/sandbox.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

gboolean
fleet_sandbox_available (char **out_reason)
{
  g_autofree char *keygen = g_find_program_in_path ("ssh-keygen");

  if (!g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE))
    {
      *out_reason = g_strdup ("/usr/sbin/sshd is not installed (apt install openssh-server)");
      return FALSE;
    }
  if (keygen == NULL)
    {
      *out_reason = g_strdup ("ssh-keygen is not installed (apt install openssh-client)");
      return FALSE;
    }
  return TRUE;
}

/* Run `scripts/sandbox-fleet` with `args` (NULL-terminated). */
static void
run_script (const char * const *args)
{
  g_autofree char *script = fleet_test_source_path ("scripts/sandbox-fleet");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  int status;

  g_ptr_array_add (argv, script);
  for (const char * const *arg = args; *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);

  status = fleet_test_spawn ((const char * const *) argv->pdata, &out, &err);
  if (status != 0)
    g_error ("sandbox-fleet %s failed with status %d:\n%s%s", args[0], status, out, err);
}

FleetSandbox *
fleet_sandbox_up (guint n_hosts)
{
  g_autoptr(GError) error = NULL;
  FleetSandbox *sandbox = g_new0 (FleetSandbox, 1);
  g_autofree char *count = g_strdup_printf ("%u", n_hosts);

  sandbox->dir = g_dir_make_tmp ("fleet-sandbox-XXXXXX", &error);
  g_assert_no_error (error);
  sandbox->n_hosts = n_hosts;
  sandbox->ports = g_ptr_array_new ();

  run_script ((const char *[]) { "up", count, sandbox->dir, NULL });

  for (guint i = 0; i < n_hosts; i++)
    {
      g_autofree char *name = fleet_sandbox_host_name (sandbox, i);
      g_autofree char *relative = g_build_filename ("hosts", name, "port", NULL);
      g_autofree char *path = fleet_sandbox_path (sandbox, relative);
      g_autofree char *text = NULL;

      g_file_get_contents (path, &text, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (sandbox->ports, GUINT_TO_POINTER (atoi (text)));
    }

  return sandbox;
}

void
fleet_sandbox_free (FleetSandbox *sandbox)
{
  if (sandbox == NULL)
    return;

  run_script ((const char *[]) { "down", sandbox->dir, NULL });
  if (g_getenv ("FLEET_KEEP_SANDBOX") == NULL)
    fleet_test_remove_tree (sandbox->dir);
  g_ptr_array_unref (sandbox->ports);
  g_free (sandbox->dir);
  g_free (sandbox);
}

void
fleet_sandbox_control (FleetSandbox *sandbox, const char *verb, guint host_index)
{
  g_autofree char *name = fleet_sandbox_host_name (sandbox, host_index);

  run_script ((const char *[]) { verb, sandbox->dir, name, NULL });
}

char *
fleet_sandbox_host_name (const FleetSandbox *sandbox, guint index)
{
  int digits = 0;

  for (guint n = sandbox->n_hosts; n > 0; n /= 10)
    digits++;
  return g_strdup_printf ("host%0*u", MAX (digits, 2), index + 1);
}

char *
fleet_sandbox_path (const FleetSandbox *sandbox, const char *relative)
{
  return g_build_filename (sandbox->dir, relative, NULL);
}

FleetHost *
fleet_sandbox_host (const FleetSandbox *sandbox, guint index, const char *key_name)
{
  g_autofree char *name = fleet_sandbox_host_name (sandbox, index);
  g_autofree char *key = g_build_filename ("client", key_name, NULL);
  FleetHost *host = fleet_host_new (name);

  host->address = g_strdup ("127.0.0.1");
  host->port = GPOINTER_TO_UINT (g_ptr_array_index (sandbox->ports, index));
  host->user = g_strdup (g_get_user_name ());
  g_ptr_array_add (host->identity_files, fleet_sandbox_path (sandbox, key));
  g_ptr_array_add (host->known_hosts_files, fleet_sandbox_path (sandbox, "known_hosts"));
  host->connect_timeout_ms = 10000;
  return host;
}
