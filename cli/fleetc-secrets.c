/* fleetc-secrets.c: `fleetc secrets init|set|list|remove`.
 *
 * Values are read from the terminal with echo off or from standard input,
 * never from the command line, and never printed.
 */
#include "cli/fleetc-secrets.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "schema/fleet-secret-key.h"
#include "schema/fleet-secret-store.h"
#include "schema/fleet-text.h"

#define EXIT_FAILED 1
#define EXIT_BAD_INPUT 2

static const char secrets_usage_text[] =
  "Usage:\n"
  "  fleetc secrets init          create an empty secret store\n"
  "  fleetc secrets set NAME      store a value read from the terminal (echo off) or stdin\n"
  "  fleetc secrets list          print the secret names, one per line\n"
  "  fleetc secrets remove NAME   delete a secret\n"
  "Options:\n"
  "  --secrets FILE               the store (default: $FLEETC_SECRETS, else\n"
  "                               $XDG_CONFIG_HOME/fleetc/secrets)\n"
  "  --secrets-key-file FILE      read the master passphrase from FILE (mode 0600)\n"
  "The master passphrase comes from --secrets-key-file, $FLEETC_SECRETS_KEY_FILE,\n"
  "$FLEETC_SECRETS_PASSPHRASE or a prompt, in that order; see docs/secrets.md.\n";

typedef struct {
  char *store_path;     /* resolved */
  char *key_file;       /* --secrets-key-file, or NULL */
} SecretsOptions;

static int
secrets_usage_error (const char *message)
{
  g_printerr ("fleetc secrets: %s\n%s", message, secrets_usage_text);
  return EXIT_BAD_INPUT;
}

/* Print `error` and return the exit status for it: 2 when the input or the
 * command line must change, 1 when the store could not be used. */
static int
report_error (const GError *error)
{
  g_printerr ("fleetc: %s\n", error->message);

  if (error->domain != FLEET_SECRET_STORE_ERROR)
    return EXIT_FAILED;
  switch ((FleetSecretStoreError) error->code)
    {
    case FLEET_SECRET_STORE_ERROR_INVALID_NAME:
    case FLEET_SECRET_STORE_ERROR_INVALID_VALUE:
    case FLEET_SECRET_STORE_ERROR_NO_SUCH_SECRET:
    case FLEET_SECRET_STORE_ERROR_NO_KEY:
    case FLEET_SECRET_STORE_ERROR_NO_TERMINAL:
      return EXIT_BAD_INPUT;
    default:
      return EXIT_FAILED;
    }
}

static FleetSecret *
read_master (const SecretsOptions *options, gboolean confirm, GError **error)
{
  FleetSecretKeyOptions key_options = {
    .key_file = options->key_file,
    .store_path = options->store_path,
    .confirm = confirm,
  };

  return fleet_secret_key_read (&key_options, error);
}

static FleetSecretStore *
open_store (const SecretsOptions *options, GError **error)
{
  g_autoptr(FleetSecret) master = NULL;

  if (!fleet_secret_store_check_file (options->store_path, error))
    return NULL;
  master = read_master (options, FALSE, error);
  if (master == NULL)
    return NULL;
  return fleet_secret_store_open (options->store_path, master, error);
}

/* Read a value from standard input up to end of file, dropping one trailing
 * newline, into memory that is wiped on free. */
static FleetSecret *
read_value_from_stdin (const char *name, GError **error)
{
  /* Room for the longest value, its newline, and one byte to detect more. */
  g_autoptr(FleetSecret) value = fleet_secret_new (FLEET_SECRET_VALUE_MAX + 2);
  gsize length = 0;

  while (length < value->length)
    {
      ssize_t got = read (STDIN_FILENO, value->data + length, value->length - length);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_IO,
                       "cannot read the value for secret \"%s\" from standard input: %s",
                       name, g_strerror (errno));
          return NULL;
        }
      if (got == 0)
        break;
      length += got;
    }

  if (length > 0 && value->data[length - 1] == '\n')
    length--;
  if (length == 0 || length > FLEET_SECRET_VALUE_MAX)
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "the value for secret \"%s\" on standard input is %s; a value is 1 to "
                   "%u bytes", name, length == 0 ? "empty" : "too long",
                   FLEET_SECRET_VALUE_MAX);
      return NULL;
    }

  fleet_secret_set_length (value, length);
  return g_steal_pointer (&value);
}

static FleetSecret *
read_value_from_terminal (const char *name, GError **error)
{
  g_autofree char *prompt = g_strdup_printf ("Value for secret \"%s\": ", name);
  g_autoptr(FleetSecret) value = NULL;
  g_autoptr(FleetSecret) repeated = NULL;

  value = fleet_secret_read_terminal (prompt, FLEET_SECRET_VALUE_MAX, error);
  if (value == NULL)
    return NULL;
  repeated = fleet_secret_read_terminal ("Repeat the value: ", FLEET_SECRET_VALUE_MAX, error);
  if (repeated == NULL)
    return NULL;

  if (!fleet_secret_equal (value, repeated))
    {
      g_set_error (error, FLEET_SECRET_STORE_ERROR, FLEET_SECRET_STORE_ERROR_INVALID_VALUE,
                   "the two values for secret \"%s\" differ; nothing was changed", name);
      return NULL;
    }
  return g_steal_pointer (&value);
}

static int
run_init (const SecretsOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecret) master = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  FleetSecretKdfParams params;
  gboolean for_tests = FALSE;
  struct stat info;

  /* Say so before asking for a passphrase twice. */
  if (lstat (options->store_path, &info) == 0)
    {
      g_printerr ("fleetc: secret store %s already exists; nothing was changed\n",
                  options->store_path);
      return EXIT_FAILED;
    }
  if (!fleet_secret_kdf_params_for_new_store (&params, &for_tests, &error))
    return report_error (error);
  if (for_tests)
    g_printerr ("fleetc: warning: %s is set, so the new store uses scrypt N=%" G_GUINT64_FORMAT
                ", which is meant for tests only and weak against passphrase guessing\n",
                FLEET_SECRET_TEST_KDF_N_ENV, params.n);

  master = read_master (options, TRUE, &error);
  if (master == NULL)
    return report_error (error);
  store = fleet_secret_store_create (options->store_path, master, &params, &error);
  if (store == NULL)
    return report_error (error);

  g_print ("Created secret store %s (scrypt N=%" G_GUINT64_FORMAT ", r=%u, p=%u)\n",
           options->store_path, params.n, params.r, params.p);
  return 0;
}

static int
run_set (const SecretsOptions *options, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;
  g_autoptr(FleetSecret) value = NULL;

  if (!fleet_secret_name_validate (name, &error))
    return report_error (error);

  store = open_store (options, &error);
  if (store == NULL)
    return report_error (error);

  value = isatty (STDIN_FILENO) ? read_value_from_terminal (name, &error)
                                : read_value_from_stdin (name, &error);
  if (value == NULL)
    return report_error (error);

  if (!fleet_secret_store_set (store, name, value, &error)
      || !fleet_secret_store_save (store, &error))
    return report_error (error);

  g_print ("Saved secret \"%s\" in %s\n", name, options->store_path);
  return 0;
}

static int
run_list (const SecretsOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = open_store (options, &error);
  g_auto(GStrv) names = NULL;

  if (store == NULL)
    return report_error (error);

  names = fleet_secret_store_list_names (store);
  for (char **name = names; *name != NULL; name++)
    g_print ("%s\n", *name);
  return 0;
}

static int
run_remove (const SecretsOptions *options, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetSecretStore) store = NULL;

  if (!fleet_secret_name_validate (name, &error))
    return report_error (error);

  store = open_store (options, &error);
  if (store == NULL)
    return report_error (error);

  if (!fleet_secret_store_remove (store, name, &error)
      || !fleet_secret_store_save (store, &error))
    return report_error (error);

  g_print ("Removed secret \"%s\" from %s\n", name, options->store_path);
  return 0;
}

/* Check that `verb` got exactly `n_names` NAME arguments; `argc` counts
 * the verb and its arguments. */
static gboolean
check_arguments (const char *verb, int argc, int n_names, char **out_message)
{
  int name_count = argc - 1;

  if (name_count == n_names)
    return TRUE;
  if (g_str_equal (verb, "set") && name_count > 1)
    *out_message = g_strdup ("set takes only NAME: the value is read from the terminal or "
                             "standard input, never from the command line, where other "
                             "users and the shell history could see it");
  else if (n_names == 0)
    *out_message = g_strdup_printf ("%s takes no arguments", verb);
  else
    *out_message = g_strdup_printf ("%s takes exactly one NAME", verb);
  return FALSE;
}

int
fleetc_secrets_main (int argc, char **argv)
{
  g_autofree char *store_option = NULL;
  g_autofree char *key_file = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *message = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("init|set NAME|list|remove NAME");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) words = NULL;
  guint seen_separator = 0;
  SecretsOptions options;
  const char *verb;
  const char *name;
  GOptionEntry entries[] = {
    { "secrets", 0, 0, G_OPTION_ARG_FILENAME, &store_option,
      "Use the secret store FILE (default: $FLEETC_SECRETS, else "
      "$XDG_CONFIG_HOME/fleetc/secrets)", "FILE" },
    { "secrets-key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file,
      "Read the master passphrase from FILE, which only its owner may read", "FILE" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Manage the encrypted store of SSH key passphrases "
                                "and sudo passwords.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return secrets_usage_error (error->message);

  /* GOption leaves "--" in argv; it only ends the options, so a name may
   * start with '-'. */
  words = g_ptr_array_new ();
  for (int i = 1; i < argc; i++)
    if (!g_str_equal (argv[i], "--") || seen_separator++ > 0)
      g_ptr_array_add (words, argv[i]);
  if (words->len == 0)
    return secrets_usage_error ("missing subcommand");

  verb = g_ptr_array_index (words, 0);
  name = words->len > 1 ? g_ptr_array_index (words, 1) : NULL;
  store_path = fleet_secret_store_resolve_path (store_option);
  options.store_path = store_path;
  options.key_file = key_file;

  if (g_str_equal (verb, "init"))
    return check_arguments (verb, words->len, 0, &message) ? run_init (&options)
                                                           : secrets_usage_error (message);
  if (g_str_equal (verb, "list"))
    return check_arguments (verb, words->len, 0, &message) ? run_list (&options)
                                                           : secrets_usage_error (message);
  if (g_str_equal (verb, "set"))
    return check_arguments (verb, words->len, 1, &message) ? run_set (&options, name)
                                                           : secrets_usage_error (message);
  if (g_str_equal (verb, "remove"))
    return check_arguments (verb, words->len, 1, &message) ? run_remove (&options, name)
                                                           : secrets_usage_error (message);

  {
    g_autofree char *escaped = g_strescape (verb, NULL);

    message = g_strdup_printf ("unknown subcommand \"%s\"", escaped);
    return secrets_usage_error (message);
  }
}
