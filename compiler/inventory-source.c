/* inventory-source.c: choose an inventory source's reader by the rules in
 * inventory-source.h, and combine several sources. */
#include "compiler/inventory-source.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler/dynamic-groups.h"
#include "compiler/ansible-ini.h"
#include "compiler/ansible-yaml.h"
#include "compiler/dynamic-inventory.h"
#include "compiler/inventory-merge.h"
#include "compiler/inventory-parser.h"
#include "compiler/source-file.h"
#include "compiler/yaml-tree.h"

typedef enum {
  FORMAT_INI,
  FORMAT_YAML,
} SourceFormat;

static const char * const native_keys[] = { "hosts", "defaults", "groups" };

FleetInventoryRef *
fleet_inventory_ref_new (const char *path, const FleetSourcePos *pos)
{
  FleetInventoryRef *ref = g_new0 (FleetInventoryRef, 1);

  ref->path = g_strdup (path);
  if (pos != NULL)
    ref->pos = *pos;
  return ref;
}

void
fleet_inventory_ref_free (FleetInventoryRef *ref)
{
  if (ref == NULL)
    return;

  g_free (ref->path);
  g_free (ref);
}

static gboolean
has_extension (const char *path, const char * const *extensions, gsize n_extensions)
{
  g_autofree char *base = g_path_get_basename (path);
  const char *dot = strrchr (base, '.');

  if (dot == NULL)
    return FALSE;

  for (gsize i = 0; i < n_extensions; i++)
    if (g_ascii_strcasecmp (dot + 1, extensions[i]) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
is_data_file_name (const char *path)
{
  static const char * const extensions[] = { "ini", "yaml", "yml", "json" };

  return has_extension (path, extensions, G_N_ELEMENTS (extensions));
}

/* Return whether `path` is a regular file that the user may execute. */
static gboolean
is_program (const char *path)
{
  struct stat info;

  return stat (path, &info) == 0 && S_ISREG (info.st_mode) && (info.st_mode & 0111) != 0
         && access (path, X_OK) == 0 && !is_data_file_name (path);
}

/* Return whether the line at `line` (up to `end`) is a YAML mapping key:
 * text without '=' up to a ':' at the end of the line or before a space. */
static gboolean
looks_like_yaml_key (const char *line, const char *end)
{
  for (const char *p = line; p < end; p++)
    {
      if (*p == '=')
        return FALSE;
      if (*p == ':' && (p + 1 == end || p[1] == ' ' || p[1] == '\t' || p[1] == '\r'))
        return p > line;
    }

  return FALSE;
}

/* Decide between INI and YAML from the first line that is not blank or a
 * comment. */
static SourceFormat
sniff_text_format (GBytes *text)
{
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  const char *end = data + length;

  for (const char *line = data; line != NULL && line < end;)
    {
      const char *newline = memchr (line, '\n', (gsize) (end - line));
      const char *line_end = newline != NULL ? newline : end;
      const char *start = line;

      while (start < line_end && g_ascii_isspace (*start))
        start++;

      if (start < line_end && *start != '#' && *start != ';')
        {
          if (*start == '[')
            return FORMAT_INI;
          if (*start == '{' || (line_end - start >= 3 && memcmp (start, "---", 3) == 0)
              || looks_like_yaml_key (start, line_end))
            return FORMAT_YAML;
          return FORMAT_INI;
        }

      line = newline != NULL ? newline + 1 : NULL;
    }

  return FORMAT_INI;
}

/* Reject a script that cannot run, before it is read as data. */
static gboolean
check_not_a_script (FleetDiagnostics *diags, const char *path, GBytes *text)
{
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  FleetSourcePos pos = { g_intern_string (path), 1, 1 };
  g_autofree char *quoted = NULL;

  if (length < 2 || memcmp (data, "#!", 2) != 0 || is_data_file_name (path))
    return TRUE;

  quoted = fleet_quote_value (path, FLEET_QUOTE_MAX_CHARS * 4);
  fleet_diagnostics_error (diags, &pos,
                           "inventory file %s starts with #! like an inventory program, but you "
                           "may not execute it; make it executable (chmod +x) to run it, or "
                           "remove the #! line",
                           quoted);
  return FALSE;
}

/* Return whether the YAML root has one of `keys` at the top level. */
static gboolean
has_any_key (const FleetYamlNode *root, const char * const *keys, gsize n_keys)
{
  for (gsize i = 0; i < n_keys; i++)
    if (fleet_yaml_mapping_lookup (root, keys[i]) != NULL)
      return TRUE;

  return FALSE;
}

static FleetInventory *
load_yaml (FleetDiagnostics *diags, const char *path, GBytes *text, const FleetSshConfig *ssh_config)
{
  static const char * const json_extensions[] = { "json" };
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  g_autoptr (GString) json = NULL;
  g_autoptr (FleetYamlDocument) document = NULL;
  g_autoptr (FleetAnsibleInventory) ansible = NULL;
  guint errors_before = fleet_diagnostics_error_count (diags);
  const FleetYamlNode *root;
  FleetInventory *inventory = NULL;

  if (has_extension (path, json_extensions, G_N_ELEMENTS (json_extensions)))
    {
      json = fleet_json_rewrite_surrogate_pairs (data, length);
      data = json->str;
      length = json->len;
    }

  document = fleet_yaml_parse (g_intern_string (path), data, length, diags);
  if (document == NULL)
    return NULL;

  root = fleet_yaml_document_root (document);
  if (root->kind == FLEET_YAML_MAPPING && fleet_yaml_mapping_lookup (root, "_meta") != NULL)
    ansible = fleet_ansible_list_read (diags, path, root);
  else if (root->kind != FLEET_YAML_MAPPING
           || has_any_key (root, native_keys, G_N_ELEMENTS (native_keys)))
    inventory = fleet_parse_inventory (diags, root, path, ssh_config);
  else
    ansible = fleet_ansible_yaml_read (diags, path, root);

  if (ansible != NULL)
    inventory = fleet_ansible_inventory_resolve (diags, ansible);

  /* The tree reports duplicate keys and still returns the document, so
   * errors are counted from before the parse. */
  if (fleet_diagnostics_error_count (diags) > errors_before)
    g_clear_pointer (&inventory, fleet_inventory_free);

  return inventory;
}

/* Add the record of source file `path`, made absolute, to `inventory`. */
static void
record_file (FleetInventory *inventory, const char *path, FleetInventoryFileKind kind,
             const char *sha256)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);

  g_ptr_array_add (inventory->files, fleet_inventory_file_new (absolute, kind, sha256));
}

static FleetInventory *
load_ini (FleetDiagnostics *diags, const char *path, GBytes *text)
{
  gsize length;
  const char *data = g_bytes_get_data (text, &length);
  g_autoptr (FleetAnsibleInventory) ansible = fleet_ansible_ini_read (diags, path, data, length);

  return ansible != NULL ? fleet_ansible_inventory_resolve (diags, ansible) : NULL;
}

/* Run the inventory program at `path` and record the digest of its file.
 * Its output is not recorded, because only running it again can check it. */
static FleetInventory *
load_program (FleetDiagnostics *diags, const char *path, const FleetSourcePos *reference,
              guint64 program_timeout_ms)
{
  g_autoptr (FleetAnsibleInventory) ansible = NULL;
  g_autoptr (FleetInventory) inventory = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sha256 = NULL;

  ansible = fleet_dynamic_inventory_run (diags, path, reference, program_timeout_ms);
  if (ansible == NULL)
    return NULL;
  inventory = fleet_ansible_inventory_resolve (diags, ansible);
  if (inventory == NULL)
    return NULL;

  sha256 = fleet_file_sha256 (path, &error);
  if (sha256 == NULL)
    {
      fleet_diagnostics_error (diags, reference, "cannot record the digest of inventory "
                               "program: %s", error->message);
      return NULL;
    }

  record_file (inventory, path, FLEET_INVENTORY_FILE_PROGRAM, sha256);
  return g_steal_pointer (&inventory);
}

static FleetInventory *
load_data (FleetDiagnostics *diags, const char *path, GBytes *text,
           const FleetSshConfig *ssh_config)
{
  static const char * const yaml_extensions[] = { "yaml", "yml", "json" };
  static const char * const ini_extensions[] = { "ini" };

  if (has_extension (path, ini_extensions, G_N_ELEMENTS (ini_extensions)))
    return load_ini (diags, path, text);
  if (has_extension (path, yaml_extensions, G_N_ELEMENTS (yaml_extensions))
      || sniff_text_format (text) == FORMAT_YAML)
    return load_yaml (diags, path, text, ssh_config);

  return load_ini (diags, path, text);
}

FleetInventory *
fleet_load_inventory_source (FleetDiagnostics *diags,
                             const char *path,
                             const FleetSourcePos *reference,
                             guint64 program_timeout_ms,
                             const FleetSshConfig *ssh_config)
{
  g_autoptr (GBytes) text = NULL;
  g_autofree char *sha256 = NULL;
  FleetInventory *inventory;

  if (is_program (path))
    return load_program (diags, path, reference, program_timeout_ms);

  text = fleet_read_source_file (diags, path, "inventory", reference);
  if (text == NULL || !check_not_a_script (diags, path, text))
    return NULL;

  inventory = load_data (diags, path, text, ssh_config);
  if (inventory == NULL)
    return NULL;

  /* The digest is of the bytes just parsed, so an edit made during the
   * compile shows up as a change later. */
  sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, text);
  record_file (inventory, path, FLEET_INVENTORY_FILE_STATIC, sha256);
  return inventory;
}

/* Warn about inventory names that reach the same server: the same address
 * and port.  Every step would run on that server once per name, perhaps at
 * the same time, and canary and spread counts would be off.  Large
 * inventories merged from several sources often hold such aliases. */
static void
warn_same_server (FleetDiagnostics *diags, const FleetInventory *inventory)
{
  g_autoptr (GHashTable) first_by_endpoint = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                                    g_free, NULL);

  for (guint i = 0; i < inventory->hosts->len; i++)
    {
      const FleetHost *host = g_ptr_array_index (inventory->hosts, i);
      const char *address = host->address != NULL ? host->address : host->name;
      char *endpoint = g_strdup_printf ("%s\n%u", address, host->port);
      const FleetHost *first = g_hash_table_lookup (first_by_endpoint, endpoint);

      if (first == NULL)
        {
          g_hash_table_insert (first_by_endpoint, endpoint, (gpointer) host);
          continue;
        }
      g_free (endpoint);
      fleet_diagnostics_warning (diags, &host->pos,
                                 "hosts %s and %s both connect to %s port %u, so every step "
                                 "would run twice on that server; remove one of them, or give "
                                 "it its own address", first->name, host->name, address,
                                 host->port);
    }
}

FleetInventory *
fleet_load_inventory_sources (FleetDiagnostics *diags,
                              const GPtrArray *refs,
                              guint64 program_timeout_ms,
                              const FleetSshConfig *ssh_config)
{
  guint errors_before = fleet_diagnostics_error_count (diags);
  g_autoptr (FleetInventory) combined = NULL;

  g_return_val_if_fail (refs->len > 0, NULL);

  for (guint i = 0; i < refs->len; i++)
    {
      const FleetInventoryRef *ref = g_ptr_array_index (refs, i);
      FleetInventory *inventory = fleet_load_inventory_source (diags, ref->path,
                                                               ref->pos.line > 0 ? &ref->pos : NULL,
                                                               program_timeout_ms,
                                                               ssh_config);

      if (inventory == NULL)
        continue;
      if (combined == NULL)
        combined = inventory;
      else
        fleet_inventory_merge (diags, combined, inventory);
    }

  if (combined != NULL)
    {
      fleet_resolve_dynamic_groups (diags, combined);
      warn_same_server (diags, combined);
    }

  if (fleet_diagnostics_error_count (diags) > errors_before)
    return NULL;

  return g_steal_pointer (&combined);
}
