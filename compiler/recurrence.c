/* recurrence.c: recurrence sets to UTC instances, per RFC 5545. */
#include "compiler/recurrence.h"

#include <string.h>

#include "compiler/yaml-tree.h"

/* No zone is further than 26 hours from UTC, so an instance whose local
 * start is later than the range's end plus this cannot start in the range. */
#define MAX_OFFSET_SECONDS (26 * 3600)

/* One instance before EXDATEs are applied. */
typedef struct {
  gint64 local_start;
  gint64 utc_start;
  gint64 utc_end;
} Instance;

typedef struct {
  const FleetRecurrence *recurrence;
  FleetWindowCalendar *calendar;
  FleetDiagnostics *diags;
  GArray *instances;           /* Instance */
  gint64 from_seconds;
  gint64 to_seconds;
} Expansion;

static struct icaltimetype
floating_time (gint64 local_seconds, gboolean is_date)
{
  struct icaltimetype time = icaltime_null_time ();
  FleetCivilTime civil;

  fleet_civil_time_from_seconds (local_seconds, &civil);
  time.year = civil.year;
  time.month = civil.month;
  time.day = civil.day;
  time.is_date = is_date;
  if (!is_date)
    {
      time.hour = civil.hour;
      time.minute = civil.minute;
      time.second = civil.second;
    }
  return time;
}

static gint64
seconds_of_icaltime (struct icaltimetype time)
{
  FleetCivilTime civil = {
    .year = time.year, .month = time.month, .day = time.day,
    .hour = time.is_date ? 0 : time.hour,
    .minute = time.is_date ? 0 : time.minute,
    .second = time.is_date ? 0 : time.second,
  };

  return fleet_civil_time_to_seconds (&civil);
}

static gboolean
in_range (const Expansion *expansion, gint64 utc_start, gint64 utc_end)
{
  return utc_end > expansion->from_seconds && utc_start < expansion->to_seconds;
}

/* Return the end of an instance that starts at `local_start`, which is
 * `utc_start` in UTC. */
static gint64
instance_end (const FleetRecurrence *recurrence, gint64 local_start, gint64 utc_start)
{
  gint64 end_utc;

  if (recurrence->duration_days == 0)
    return utc_start + recurrence->duration_seconds;

  fleet_time_zone_to_utc (recurrence->zone,
                          local_start + recurrence->duration_days * FLEET_SECONDS_PER_DAY,
                          &end_utc);
  return end_utc + recurrence->duration_seconds;
}

static void
add_instance (Expansion *expansion, gint64 local_start, gint64 utc_start, gint64 utc_end)
{
  Instance instance = { .local_start = local_start, .utc_start = utc_start, .utc_end = utc_end };

  g_array_append_val (expansion->instances, instance);
}

/* Warn that an explicit date-time (the start, an RDATE) does not exist and
 * was read with the offset before the gap. */
static void
warn_skipped_explicit (Expansion *expansion, const FleetSourcePos *pos, const char *what,
                       gint64 local, gint64 utc)
{
  const FleetRecurrence *recurrence = expansion->recurrence;
  g_autofree char *local_text = fleet_format_local_seconds (local);
  g_autofree char *read_as = fleet_format_zoned_seconds (recurrence->zone, utc);

  fleet_diagnostics_warning (expansion->diags, pos,
                             "%s: %s %s does not exist in %s because the clocks skip it; it is "
                             "read with the UTC offset before the change, as %s",
                             recurrence->label, what, local_text,
                             fleet_time_zone_get_identifier (recurrence->zone), read_as);
}

static void
add_explicit (Expansion *expansion, gint64 local, gboolean is_date, gint64 period_seconds,
              const FleetSourcePos *pos, const char *what)
{
  const FleetRecurrence *recurrence = expansion->recurrence;
  FleetLocalTimeKind kind;
  gint64 utc;
  gint64 end;

  kind = fleet_time_zone_to_utc (recurrence->zone, local, &utc);
  end = period_seconds > 0 ? utc + period_seconds : instance_end (recurrence, local, utc);
  if (kind == FLEET_LOCAL_TIME_SKIPPED && !is_date && in_range (expansion, utc, end))
    warn_skipped_explicit (expansion, pos, what, local, utc);

  add_instance (expansion, local, utc, end);
}

static void
drop_skipped (Expansion *expansion, gint64 local, gint64 utc)
{
  const FleetRecurrence *recurrence = expansion->recurrence;
  g_autofree char *local_text = NULL;

  if (!in_range (expansion, utc, instance_end (recurrence, local, utc)))
    return;

  fleet_window_calendar_add_dropped (expansion->calendar, recurrence->source, local);
  local_text = fleet_format_local_seconds (local);
  fleet_diagnostics_warning (expansion->diags, &recurrence->pos,
                             "%s: the instance at %.10s %s is dropped: that local time does not "
                             "exist in %s because the clocks skip it (RFC 5545 drops such "
                             "instances and does not count them)",
                             recurrence->label, local_text, local_text + 11,
                             fleet_time_zone_get_identifier (recurrence->zone));
}

/* Return whether an RRULE instance starting at `local` (`utc`) is after
 * the rule's UNTIL. */
static gboolean
after_until (const struct icalrecurrencetype *rule, gint64 local, gint64 utc)
{
  gint64 until;

  if (icaltime_is_null_time (rule->until))
    return FALSE;

  until = seconds_of_icaltime (rule->until);
  if (rule->until.is_date)
    return local >= until + FLEET_SECONDS_PER_DAY;
  if (icaltime_is_utc (rule->until))
    return utc > until;
  return local > until;
}

static void
warn_unsynchronized (Expansion *expansion)
{
  const FleetRecurrence *recurrence = expansion->recurrence;
  g_autofree char *start = fleet_format_local_seconds (recurrence->start_local);

  fleet_diagnostics_warning (expansion->diags, &recurrence->pos,
                             "%s: the start %s is not an instance of the RRULE; it is kept as "
                             "the first instance, as RFC 5545 counts the start first; move the "
                             "start onto the rule to avoid the extra instance",
                             recurrence->label, start);
}

static gboolean
report_iteration_error (Expansion *expansion, const char *reason)
{
  fleet_diagnostics_error (expansion->diags, &expansion->recurrence->pos, "%s: %s",
                           expansion->recurrence->label, reason);
  return FALSE;
}

/* Add the instances of the RRULE after the start. */
static gboolean
expand_rule (Expansion *expansion, guint count_so_far)
{
  const FleetRecurrence *recurrence = expansion->recurrence;
  struct icalrecurrencetype rule = recurrence->rule;
  icalrecur_iterator *iterator;
  guint count = count_so_far;
  gboolean first = TRUE;

  /* COUNT and UNTIL are applied here, because libical counts instances that
   * do not exist and compares a UTC UNTIL with floating local times. */
  rule.count = 0;
  rule.until = icaltime_null_time ();

  icalerror_clear_errno ();
  iterator = icalrecur_iterator_new (rule, floating_time (recurrence->start_local,
                                                          recurrence->all_day));
  if (iterator == NULL)
    return report_iteration_error (expansion, "libical cannot iterate this RRULE; check its "
                                              "BY parts for values out of range");

  for (guint steps = 0;; steps++)
    {
      struct icaltimetype next = icalrecur_iterator_next (iterator);
      FleetLocalTimeKind kind;
      gint64 local;
      gint64 utc;

      if (icaltime_is_null_time (next))
        break;
      if (steps >= FLEET_RECURRENCE_MAX_STEPS)
        {
          icalrecur_iterator_free (iterator);
          return report_iteration_error (expansion, "the RRULE has more than 1000000 instances "
                                                    "before the end of the range; move the "
                                                    "start closer or use a coarser FREQ");
        }

      local = seconds_of_icaltime (next);
      if (first && local != recurrence->start_local)
        warn_unsynchronized (expansion);
      first = FALSE;
      if (local <= recurrence->start_local)
        continue;
      if (local - MAX_OFFSET_SECONDS > expansion->to_seconds)
        break;

      kind = fleet_time_zone_to_utc (recurrence->zone, local, &utc);
      if (after_until (&recurrence->rule, local, utc))
        break;
      if (kind == FLEET_LOCAL_TIME_SKIPPED && !recurrence->all_day)
        {
          drop_skipped (expansion, local, utc);
          continue;
        }

      if (recurrence->rule.count > 0 && count >= (guint) recurrence->rule.count)
        break;
      count++;
      add_instance (expansion, local, utc, instance_end (recurrence, local, utc));
    }

  icalrecur_iterator_free (iterator);
  return TRUE;
}

/* Return the UTC start an EXDATE excludes, or the local day it excludes
 * when it is a DATE. */
static gboolean
is_excluded (const Expansion *expansion, const Instance *instance)
{
  const FleetRecurrence *recurrence = expansion->recurrence;

  if (recurrence->exdates == NULL)
    return FALSE;

  for (guint i = 0; i < recurrence->exdates->len; i++)
    {
      const FleetRecurrenceDate *exdate = &g_array_index (recurrence->exdates,
                                                          FleetRecurrenceDate, i);
      gint64 utc;

      if (exdate->is_date)
        {
          if (instance->local_start / FLEET_SECONDS_PER_DAY
              == exdate->seconds / FLEET_SECONDS_PER_DAY)
            return TRUE;
          continue;
        }

      if (exdate->is_utc)
        utc = exdate->seconds;
      else
        fleet_time_zone_to_utc (recurrence->zone, exdate->seconds, &utc);
      if (utc == instance->utc_start)
        return TRUE;
    }

  return FALSE;
}

gboolean
fleet_recurrence_expand (const FleetRecurrence *recurrence,
                         FleetWindowCalendar *calendar,
                         FleetDiagnostics *diags)
{
  g_autoptr (GArray) instances = g_array_new (FALSE, FALSE, sizeof (Instance));
  Expansion expansion = {
    .recurrence = recurrence,
    .calendar = calendar,
    .diags = diags,
    .instances = instances,
    .from_seconds = calendar->from_us / G_USEC_PER_SEC,
    .to_seconds = calendar->to_us / G_USEC_PER_SEC,
  };

  add_explicit (&expansion, recurrence->start_local, recurrence->all_day, 0, &recurrence->pos,
                "the start");
  if (recurrence->has_rule && !expand_rule (&expansion, 1))
    return FALSE;

  for (guint i = 0; recurrence->rdates != NULL && i < recurrence->rdates->len; i++)
    {
      const FleetRecurrenceDate *rdate = &g_array_index (recurrence->rdates,
                                                         FleetRecurrenceDate, i);
      gint64 local = rdate->is_utc ? fleet_time_zone_to_local (recurrence->zone, rdate->seconds)
                                   : rdate->seconds;

      add_explicit (&expansion, local, rdate->is_date, rdate->period_seconds, &rdate->pos,
                    "the RDATE");
    }

  for (guint i = 0; i < instances->len; i++)
    {
      const Instance *instance = &g_array_index (instances, Instance, i);

      if (!is_excluded (&expansion, instance))
        fleet_window_calendar_add_instance (calendar, recurrence->source,
                                            instance->utc_start * G_USEC_PER_SEC,
                                            instance->utc_end * G_USEC_PER_SEC);
    }

  return TRUE;
}

/* Return whether libical accepts `text` as an RRULE value. */
static gboolean
rule_parses (const char *text, struct icalrecurrencetype *out_rule)
{
  icalerror_clear_errno ();
  *out_rule = icalrecurrencetype_from_string (text);
  return icalerrno == ICAL_NO_ERROR;
}

gboolean
fleet_recurrence_parse_rule (const char *text,
                             struct icalrecurrencetype *out_rule,
                             char **out_message,
                             gsize *out_offset)
{
  gsize start = g_str_has_prefix (text, "RRULE:") ? strlen ("RRULE:") : 0;
  const char *body = text + start;
  struct icalrecurrencetype rule;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GString) prefix = g_string_new (NULL);
  gsize offset = start;

  if (rule_parses (body, &rule) && rule.freq != ICAL_NO_RECURRENCE)
    {
      *out_rule = rule;
      return TRUE;
    }

  /* libical says only that the text is malformed.  Parsing ever longer
   * prefixes finds the first part it rejects. */
  parts = g_strsplit (body, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_string_append_printf (prefix, "%s%s", i > 0 ? ";" : "", parts[i]);
      if (!rule_parses (prefix->str, &rule))
        {
          g_autofree char *quoted = fleet_quote_value (parts[i], FLEET_QUOTE_MAX_CHARS);

          *out_message = g_strdup_printf ("invalid RRULE part %s: expected NAME=VALUE with a "
                                          "name and value from RFC 5545, section 3.3.10, such "
                                          "as FREQ=WEEKLY or BYDAY=TU", quoted);
          *out_offset = offset;
          return FALSE;
        }
      offset += strlen (parts[i]) + 1;
    }

  *out_message = g_strdup ("invalid RRULE: FREQ is missing; start the rule with FREQ=DAILY, "
                           "FREQ=WEEKLY, FREQ=MONTHLY or FREQ=YEARLY");
  *out_offset = start;
  return FALSE;
}
