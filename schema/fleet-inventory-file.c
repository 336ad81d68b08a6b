/* fleet-inventory-file.c: inventory source records, their place in the plan
 * body, and the check for changed files. */
#include "schema/fleet-inventory-file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/fleet-plan.h"

#define SHA256_HEX_LENGTH 64

FleetInventoryFile *
fleet_inventory_file_new (const char *path, FleetInventoryFileKind kind, const char *sha256)
{
  FleetInventoryFile *file = g_new0 (FleetInventoryFile, 1);

  file->path = g_strdup (path);
  file->kind = kind;
  file->sha256 = g_strdup (sha256);
  return file;
}

FleetInventoryFile *
fleet_inventory_file_copy (const FleetInventoryFile *file)
{
  return fleet_inventory_file_new (file->path, file->kind, file->sha256);
}

void
fleet_inventory_file_free (FleetInventoryFile *file)
{
  if (file == NULL)
    return;

  g_free (file->path);
  g_free (file->sha256);
  g_free (file);
}

const char *
fleet_inventory_file_kind_to_string (FleetInventoryFileKind kind)
{
  return kind == FLEET_INVENTORY_FILE_PROGRAM ? "program" : "file";
}

char *
fleet_file_sha256 (const char *path, GError **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 block[64 * 1024];
  struct stat info;
  int fd;

  /* O_NONBLOCK keeps a FIFO put in the file's place from blocking the open. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO, "cannot read %s: %s", path,
                   g_strerror (errno));
      return NULL;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO,
                   "cannot read %s: it is not a regular file", path);
      close (fd);
      return NULL;
    }

  for (;;)
    {
      ssize_t got = read (fd, block, sizeof block);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_IO, "cannot read %s: %s", path,
                       g_strerror (errno));
          close (fd);
          return NULL;
        }
      if (got == 0)
        break;
      g_checksum_update (checksum, block, got);
    }

  close (fd);
  return g_strdup (g_checksum_get_string (checksum));
}

GVariant *
fleet_inventory_files_to_variant (const GPtrArray *files)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (files, i);
      GVariantBuilder record;

      g_variant_builder_init (&record, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&record, "{sv}", "path", g_variant_new_string (file->path));
      g_variant_builder_add (&record, "{sv}", "kind",
                             g_variant_new_string (fleet_inventory_file_kind_to_string (file->kind)));
      g_variant_builder_add (&record, "{sv}", "sha256", g_variant_new_string (file->sha256));
      g_variant_builder_add_value (&builder, g_variant_builder_end (&record));
    }

  return g_variant_builder_end (&builder);
}

static gboolean
is_sha256_hex (const char *text)
{
  gsize length = 0;

  for (; text[length] != '\0'; length++)
    if (!g_ascii_isdigit (text[length]) && !(text[length] >= 'a' && text[length] <= 'f'))
      return FALSE;

  return length == SHA256_HEX_LENGTH;
}

static FleetInventoryFile *
file_from_variant (GVariant *record, guint index, GError **error)
{
  const char *path = NULL;
  const char *kind = NULL;
  const char *sha256 = NULL;

  if (!g_variant_lookup (record, "path", "&s", &path)
      || !g_variant_lookup (record, "kind", "&s", &kind)
      || !g_variant_lookup (record, "sha256", "&s", &sha256))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "inventory file %u of the plan lacks the string \"path\", \"kind\" or "
                   "\"sha256\"", index + 1);
      return NULL;
    }

  if (path[0] == '\0' || !is_sha256_hex (sha256))
    {
      g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
                   "inventory file %u of the plan has an empty path or a digest that is not "
                   "64 lowercase hex digits", index + 1);
      return NULL;
    }

  if (g_str_equal (kind, "file"))
    return fleet_inventory_file_new (path, FLEET_INVENTORY_FILE_STATIC, sha256);
  if (g_str_equal (kind, "program"))
    return fleet_inventory_file_new (path, FLEET_INVENTORY_FILE_PROGRAM, sha256);

  g_set_error (error, FLEET_PLAN_ERROR, FLEET_PLAN_ERROR_INVALID,
               "inventory file %u of the plan has the unknown kind \"%s\"", index + 1, kind);
  return NULL;
}

gboolean
fleet_inventory_files_from_variant (GVariant *files, GPtrArray *out, GError **error)
{
  gsize n = g_variant_n_children (files);

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) record = g_variant_get_child_value (files, i);
      FleetInventoryFile *file = file_from_variant (record, (guint) i, error);

      if (file == NULL)
        return FALSE;
      g_ptr_array_add (out, file);
    }

  return TRUE;
}

void
fleet_inventory_change_free (FleetInventoryChange *change)
{
  if (change == NULL)
    return;

  fleet_inventory_file_free (change->recorded);
  g_free (change->current_sha256);
  g_free (change->read_error);
  g_free (change);
}

GPtrArray *
fleet_inventory_files_find_changes (const GPtrArray *files)
{
  GPtrArray *changes = g_ptr_array_new_with_free_func ((GDestroyNotify) fleet_inventory_change_free);

  for (guint i = 0; i < files->len; i++)
    {
      const FleetInventoryFile *file = g_ptr_array_index (files, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *current = NULL;
      FleetInventoryChange *change;

      if (file->kind != FLEET_INVENTORY_FILE_STATIC)
        continue;

      current = fleet_file_sha256 (file->path, &error);
      if (current != NULL && g_str_equal (current, file->sha256))
        continue;

      change = g_new0 (FleetInventoryChange, 1);
      change->recorded = fleet_inventory_file_copy (file);
      change->current_sha256 = g_steal_pointer (&current);
      change->read_error = error != NULL ? g_strdup (error->message) : NULL;
      g_ptr_array_add (changes, change);
    }

  return changes;
}

char *
fleet_inventory_change_describe (const FleetInventoryChange *change)
{
  if (change->current_sha256 == NULL)
    return g_strdup_printf ("inventory file %s, which the plan was compiled from (sha256 %s), "
                            "cannot be checked: %s",
                            change->recorded->path, change->recorded->sha256,
                            change->read_error != NULL ? change->read_error : "unknown error");

  return g_strdup_printf ("inventory file %s changed since the plan was compiled: its sha256 "
                          "was %s and is now %s",
                          change->recorded->path, change->recorded->sha256,
                          change->current_sha256);
}
