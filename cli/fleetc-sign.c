/* fleetc-sign.c: `fleetc sign`, an approver's signature on a reviewed plan.
 *
 * The private key is named by its path, so it never appears on the command
 * line, and it is never printed.  A key file that other users may read is
 * rejected.
 * The plan is rewritten in place through a temporary file, with its header,
 * body and digest unchanged.
 */
#include "cli/fleetc-sign.h"

#include <glib.h>
#include <string.h>

#include "schema/fleet-plan-expiry.h"
#include "schema/fleet-plan-signature.h"
#include "schema/fleet-signing-key.h"
#include "schema/fleet-text.h"

#define EXIT_BAD_INPUT 2

static int
sign_usage_error (const char *message)
{
  g_printerr ("fleetc sign: %s\n"
              "Usage: fleetc sign PLAN --key KEY [--comment TEXT] [--expect-sha256 HEX]\n",
              message);
  return EXIT_BAD_INPUT;
}

static int
fail (const GError *error)
{
  g_printerr ("fleetc: %s\n", error->message);
  return EXIT_BAD_INPUT;
}

/* The comment when none is given: who signed, where. */
static char *
default_comment (const FleetSigningKey *key)
{
  const FleetPublicKey *public_key = fleet_signing_key_get_public_key (key);

  if (public_key->comment != NULL && fleet_signature_comment_problem (public_key->comment) == NULL)
    return g_strdup (public_key->comment);
  return g_strdup_printf ("%s@%s", g_get_user_name (), g_get_host_name ());
}

static gboolean
is_full_sha256 (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;

  return TRUE;
}

/* Check that the plan at `path` is worth signing: readable, of the expected
 * digest when one is given, and not expired. */
static gboolean
check_plan (const char *path, GBytes *bytes, const char *expected_sha256, GError **error)
{
  g_autoptr(FleetPlan) plan = fleet_plan_deserialize (bytes, error);

  if (plan == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  if (expected_sha256 != NULL && g_ascii_strcasecmp (expected_sha256, plan->file_sha256) != 0)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "%s has sha256 %s, not the %s given with --expect-sha256: it is not the plan "
                   "you reviewed; review it again with `fleetc show`", path, plan->file_sha256,
                   expected_sha256);
      return FALSE;
    }

  if (!fleet_plan_check_expiry (plan, fleet_clock_system (), error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  return TRUE;
}

int
fleetc_sign_main (int argc, char **argv)
{
  g_autofree char *key_path = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *expected_sha256 = NULL;
  g_autoptr(GOptionContext) context = g_option_context_new ("PLAN");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) signed_bytes = NULL;
  g_autoptr(FleetSigningKey) key = NULL;
  g_autoptr(FleetPlan) signed_plan = NULL;
  const FleetPublicKey *public_key;
  gboolean replaced = FALSE;
  GOptionEntry entries[] = {
    { "key", 'k', 0, G_OPTION_ARG_FILENAME, &key_path,
      "Sign with the Ed25519 private key in FILE (PEM or OpenSSH, mode 0600)", "FILE" },
    { "comment", 'c', 0, G_OPTION_ARG_STRING, &comment,
      "Record TEXT with the signature, such as your name and the change ticket "
      "(default: the OpenSSH key's comment, else USER@HOST)", "TEXT" },
    { "expect-sha256", 0, 0, G_OPTION_ARG_STRING, &expected_sha256,
      "Sign only if the plan's sha256 is HEX, the one you reviewed with `fleetc show`", "HEX" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Add your signature to a plan you reviewed.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    return sign_usage_error (error->message);
  if (argc != 2)
    return sign_usage_error ("expected exactly one plan file");
  if (key_path == NULL)
    return sign_usage_error ("sign needs the private key file: --key KEY");
  if (expected_sha256 != NULL && !is_full_sha256 (expected_sha256))
    {
      g_autofree char *message = g_strdup_printf (
        "--expect-sha256 needs all 64 hex digits of the plan's sha256, as `fleetc show` prints "
        "it; \"%s\" has %u characters", expected_sha256,
        (guint) g_utf8_strlen (expected_sha256, -1));
      return sign_usage_error (message);
    }

  bytes = fleet_plan_read_bytes (argv[1], &error);
  if (bytes == NULL || !check_plan (argv[1], bytes, expected_sha256, &error))
    return fail (error);

  /* The key is read last, so a passphrase prompt comes only for a plan
   * that can be signed. */
  key = fleet_signing_key_read_file (key_path, &error);
  if (key == NULL)
    return fail (error);
  if (comment == NULL)
    comment = default_comment (key);

  signed_bytes = fleet_plan_sign (bytes, key, comment, &replaced, &error);
  if (signed_bytes == NULL)
    {
      g_prefix_error (&error, "%s: ", argv[1]);
      return fail (error);
    }

  /* Read back what is about to be written: the new signature must verify. */
  signed_plan = fleet_plan_deserialize (signed_bytes, &error);
  if (signed_plan == NULL || !fleet_plan_write_bytes (signed_bytes, argv[1], &error))
    return fail (error);

  public_key = fleet_signing_key_get_public_key (key);
  g_print ("%s: %s signature by %s (\"%s\"); plan sha256 %s unchanged; %u signature%s\n",
           argv[1], replaced ? "replaced the" : "added a", public_key->fingerprint, comment,
           signed_plan->file_sha256, signed_plan->signatures->len,
           signed_plan->signatures->len == 1 ? "" : "s");
  return 0;
}
