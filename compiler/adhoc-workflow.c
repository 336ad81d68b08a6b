/* adhoc-workflow.c: build the one-step workflow of `fleetc run`. */
#include "compiler/adhoc-workflow.h"

#include <string.h>

#include "compiler/dynamic-inventory.h"
#include "compiler/fleet-compiler.h"
#include "compiler/inventory-source.h"
#include "compiler/ssh-config.h"
#include "schema/fleet-template.h"

/* The workflow source recorded in an ad-hoc plan: there is no file, and
 * the SHA-256 next to it is that of the command text. */
#define ADHOC_SOURCE "fleetc run"

/* Characters that need no quoting in any POSIX shell word.  `=` is safe
 * everywhere except in the first word, where it makes an assignment. */
static const char safe_characters[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+./:,@%";

static gboolean
word_is_safe (const char *word, gboolean first)
{
  if (word[0] == '\0')
    return FALSE;

  for (const char *p = word; *p != '\0'; p++)
    if (strchr (safe_characters, *p) == NULL && !(*p == '=' && !first))
      return FALSE;

  return TRUE;
}

char *
fleet_adhoc_join_command (const char *const *argv)
{
  GString *command = g_string_new (NULL);

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (command, ' ');

      if (word_is_safe (argv[i], i == 0))
        g_string_append (command, argv[i]);
      else
        {
          g_autofree char *quoted = fleet_shell_quote (argv[i]);

          g_string_append (command, quoted);
        }
    }

  return g_string_free (command, FALSE);
}

static FleetInventory *
load_inventories (const FleetAdhocOptions *options, FleetDiagnostics *diags)
{
  g_autoptr(FleetSshConfig) ssh_config = NULL;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) fleet_inventory_ref_free);

  if (options->ssh_config != NULL)
    {
      ssh_config = fleet_ssh_config_load (options->ssh_config, options->ssh_config_check_owner,
                                          diags);
      if (ssh_config == NULL)
        return NULL;
    }

  for (const char *const *path = options->inventories; *path != NULL; path++)
    g_ptr_array_add (refs, fleet_inventory_ref_new (*path, NULL));

  return fleet_load_inventory_sources (diags, refs, FLEET_DEFAULT_DYNAMIC_INVENTORY_TIMEOUT_MS,
                                       ssh_config);
}

static FleetStep *
make_step (const FleetAdhocOptions *options)
{
  g_autofree char *command = fleet_adhoc_join_command (options->command_argv);
  FleetStep *step = fleet_step_new (FLEET_ADHOC_STEP_NAME, command);

  step->timeout_ms = options->timeout_ms;
  step->become = options->become;
  step->become_user = g_strdup (options->become_user);
  return step;
}

FleetWorkflow *
fleet_compile_adhoc (const FleetAdhocOptions *options, FleetDiagnostics *diags)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr(FleetWorkflow) workflow = fleet_workflow_new ();
  FleetBatch every_host = { .kind = FLEET_BATCH_PERCENT, .value = 100 };
  FleetStep *step;

  g_return_val_if_fail (options->inventories != NULL && options->inventories[0] != NULL, NULL);
  g_return_val_if_fail (options->command_argv != NULL && options->command_argv[0] != NULL, NULL);
  g_return_val_if_fail (options->limit != NULL, NULL);

  step = make_step (options);
  workflow->name = g_strdup (FLEET_ADHOC_WORKFLOW_NAME);
  workflow->source = g_strdup (ADHOC_SOURCE);
  workflow->source_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, step->command, -1);
  g_ptr_array_add (workflow->steps, step);
  workflow->target.all = TRUE;
  g_array_append_val (workflow->batches, every_host);
  if (options->parallelism > 0)
    workflow->parallelism = options->parallelism;
  if (options->halt_failed != NULL)
    {
      workflow->halt_at.rules[FLEET_HALT_FAILED_PER_WAVE] = *options->halt_failed;
      workflow->halt_at.is_set[FLEET_HALT_FAILED_PER_WAVE] = TRUE;
    }

  workflow->inventory = load_inventories (options, diags);
  if (workflow->inventory != NULL)
    fleet_compile_limit (workflow, options->limit, diags);

  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&workflow);
}
