/* fuzz-plan.c: libFuzzer target for the plan reader.
 *
 * An input that starts with the magic "FLEETPLN" is a whole plan file and
 * is read as it is.  Random changes to it mostly stop at the digest check,
 * so any other input is a plan body, which the target frames with a valid
 * header and digest first.  Mutations then reach the GVariant body and the
 * schema checks behind it.  A plan that reads must serialize again to bytes
 * that read back into the same bytes, because fleetc and fleet-run rely on
 * a plan always serializing the same way.
 */
#include <string.h>

#include "fuzz/fuzz-common.h"
#include "schema/fleet-plan.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
compute_sha256 (const guint8 *data, gsize length, guint8 *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize digest_length = FLEET_PLAN_DIGEST_LENGTH;

  g_checksum_update (checksum, data, length);
  g_checksum_get_digest (checksum, out, &digest_length);
}

/* Return `body` with a version FLEET_PLAN_FORMAT_VERSION header and its
 * digest, as fleet_plan_serialize lays a file out. */
static GBytes *
frame_body (const uint8_t *body, size_t size)
{
  gsize total = FLEET_PLAN_HEADER_LENGTH + size + FLEET_PLAN_DIGEST_LENGTH;
  guint8 *file = g_malloc0 (total);
  guint32 version_be = GUINT32_TO_BE (FLEET_PLAN_FORMAT_VERSION);
  guint64 length_be = GUINT64_TO_BE ((guint64) size);

  memcpy (file, FLEET_PLAN_MAGIC, FLEET_PLAN_MAGIC_LENGTH);
  memcpy (file + 8, &version_be, 4);
  memcpy (file + 16, &length_be, 8);
  if (size > 0)
    memcpy (file + FLEET_PLAN_HEADER_LENGTH, body, size);
  compute_sha256 (file, FLEET_PLAN_HEADER_LENGTH + size, file + FLEET_PLAN_HEADER_LENGTH + size);

  return g_bytes_new_take (file, total);
}

static void
check_round_trip (FleetPlan *plan)
{
  g_autoptr(GBytes) bytes = fleet_plan_serialize (plan);
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) again = fleet_plan_deserialize (bytes, &error);
  g_autoptr(GBytes) bytes_again = NULL;

  if (again == NULL)
    fuzz_fail ("a plan that was read does not read back after serializing: %s",
               error->message);

  bytes_again = fleet_plan_serialize (again);
  if (!g_bytes_equal (bytes, bytes_again))
    fuzz_fail ("a plan serializes differently after a round trip");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;

  if (size >= FLEET_PLAN_MAGIC_LENGTH && memcmp (data, FLEET_PLAN_MAGIC, FLEET_PLAN_MAGIC_LENGTH) == 0)
    bytes = g_bytes_new (data, size);
  else
    bytes = frame_body (data, size);

  plan = fleet_plan_deserialize (bytes, &error);
  if (plan == NULL && error == NULL)
    fuzz_fail ("the reader returned NULL without an error");
  if (plan != NULL)
    check_round_trip (plan);
  return 0;
}
