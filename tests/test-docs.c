/* test-docs.c: docs/workflow.md lists exactly the keys of the schema table. */
#include <string.h>

#include "schema/workflow-schema.h"

/* Return the text of the section headed "### Keys: CONTEXT", up to the next
 * heading. */
static char *
keys_section (const char *doc, const char *context)
{
  g_autofree char *heading = g_strdup_printf ("### Keys: %s\n", context);
  const char *start = strstr (doc, heading);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (heading);
  end = strstr (start, "\n#");
  return end != NULL ? g_strndup (start, end - start) : g_strdup (start);
}

static void
test_every_schema_key_documented (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "docs",
                                            "workflow.md", NULL);
  g_autofree char *doc = NULL;
  gsize n_fields = 0;
  const FleetSchemaField *fields = fleet_schema_fields (&n_fields);

  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  g_assert_cmpuint (n_fields, >, 0);

  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *section = keys_section (doc, fleet_schema_context_name (fields[i].context));
      g_autofree char *row = g_strdup_printf ("| `%s` |", fields[i].key);

      if (strstr (section, row) == NULL)
        g_error ("docs/workflow.md lacks key \"%s\" under \"Keys: %s\"", fields[i].key,
                 fleet_schema_context_name (fields[i].context));
    }
}

static void
test_every_documented_key_exists (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "docs",
                                            "workflow.md", NULL);
  g_autofree char *doc = NULL;
  const FleetSchemaContext contexts[] = {
    FLEET_SCHEMA_WORKFLOW, FLEET_SCHEMA_TARGET, FLEET_SCHEMA_STEP,
    FLEET_SCHEMA_INVENTORY, FLEET_SCHEMA_DEFAULTS, FLEET_SCHEMA_HOST,
    FLEET_SCHEMA_CANARY, FLEET_SCHEMA_SPREAD, FLEET_SCHEMA_ORDER, FLEET_SCHEMA_HALT_AT,
    FLEET_SCHEMA_WINDOW, FLEET_SCHEMA_SNAPSHOT, FLEET_SCHEMA_SNAPSHOT_EXPECT,
    FLEET_SCHEMA_CHECK, FLEET_SCHEMA_BETWEEN_WAVES, FLEET_SCHEMA_ROLLBACK,
    FLEET_SCHEMA_ROLLBACK_STEP,
    FLEET_SCHEMA_CONCURRENCY, FLEET_SCHEMA_PROTECT,
    FLEET_SCHEMA_SCHEDULE, FLEET_SCHEMA_SETTINGS,
  };

  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));

  for (guint c = 0; c < G_N_ELEMENTS (contexts); c++)
    {
      g_autofree char *section = keys_section (doc, fleet_schema_context_name (contexts[c]));
      g_auto(GStrv) lines = g_strsplit (section, "\n", -1);

      for (char **line = lines; *line != NULL; line++)
        {
          g_autofree char *key = NULL;
          const char *end;

          if (!g_str_has_prefix (*line, "| `"))
            continue;
          end = strchr (*line + 3, '`');
          g_assert_nonnull (end);
          key = g_strndup (*line + 3, end - (*line + 3));
          if (fleet_schema_lookup (contexts[c], key) == NULL)
            g_error ("docs/workflow.md documents \"%s\" under \"Keys: %s\", which the schema "
                     "does not have", key, fleet_schema_context_name (contexts[c]));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/docs/workflow/schema-keys-documented", test_every_schema_key_documented);
  g_test_add_func ("/docs/workflow/documented-keys-exist", test_every_documented_key_exists);

  return g_test_run ();
}
