/* fleet-check.h: validation checks that fleet-run runs after each wave,
 * before the next one starts.
 *
 * A check runs a command on the wave's hosts (HOST), a program on the
 * controller (LOCAL) or an HTTP request (HTTP).  It waits `bake_ms` after
 * the wave ends, then tries up to 1 + `retries` times, `interval_ms` apart,
 * until a try passes.  Plans carry the checks under the optional body key
 * "checks" (docs/plan-format.md); a plan without the key runs none.
 *
 * Ownership: a FleetCheck owns every string and array it contains.
 */
#pragma once

#include <glib.h>

#include "schema/fleet-diagnostics.h"

G_BEGIN_DECLS

#define FLEET_CHECK_ERROR (fleet_check_error_quark ())

typedef enum {
  FLEET_CHECK_ERROR_INVALID,     /* a plan's check record breaks the format */
} FleetCheckError;

GQuark fleet_check_error_quark (void);

typedef enum {
  FLEET_CHECK_HOST,              /* `command` over SSH on each host of the wave */
  FLEET_CHECK_LOCAL,             /* `argv` on the controller */
  FLEET_CHECK_HTTP,              /* a GET of `url` through libcurl */
} FleetCheckKind;

typedef enum {
  FLEET_CHECK_ON_FAIL_HALT,       /* the run halts before the next wave */
  FLEET_CHECK_ON_FAIL_FAIL_HOSTS, /* the hosts the check failed on fail; the
                                     halt thresholds then decide */
} FleetCheckOnFail;

/* Defaults of the workflow keys, in milliseconds. */
#define FLEET_CHECK_DEFAULT_INTERVAL_MS 5000u
#define FLEET_CHECK_DEFAULT_TIMEOUT_MS 30000u

typedef struct {
  char *name;
  FleetCheckKind kind;
  char *command;                 /* HOST: the remote shell command */
  GPtrArray *argv;               /* LOCAL: char *, the program and its arguments;
                                    with `shell`, one item run by /bin/sh -c */
  gboolean shell;
  char *url;                     /* HTTP: may hold `{{ name }}` references, and is
                                    then requested once per host of the wave */
  GArray *url_ref_positions;     /* FleetSourcePos of each reference of `url`, in
                                    order; set by the compiler so the planner can
                                    report undefined names, never in a plan file */
  guint32 sample;                /* HOST: check at most this many hosts; 0: all */
  gint32 expect_exit;            /* HOST and LOCAL: the expected exit status */
  guint32 expect_status;         /* HTTP: the expected response status */
  char *expect_contains;         /* substring the output or body must contain, or NULL */
  char *expect_match;            /* regular expression (PCRE, as GRegex) the output or
                                    body must match, or NULL */
  guint32 retries;               /* tries after the first failed one */
  guint64 interval_ms;           /* between tries */
  guint64 bake_ms;               /* after the wave, before the first try */
  guint64 timeout_ms;            /* of each try */
  FleetCheckOnFail on_fail;
} FleetCheck;

FleetCheck *fleet_check_new (const char *name, FleetCheckKind kind);
void fleet_check_free (FleetCheck *check);
FleetCheck *fleet_check_copy (const FleetCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetCheck, fleet_check_free)

/* Return "host", "local" or "http". */
const char *fleet_check_kind_name (FleetCheckKind kind);

/* Return "halt" or "fail_hosts". */
const char *fleet_check_on_fail_name (FleetCheckOnFail on_fail);
gboolean fleet_check_on_fail_from_name (const char *text, FleetCheckOnFail *out_value);

/* Return whether the check runs once per host of the wave: host checks
 * always, HTTP checks whose URL has references. */
gboolean fleet_check_is_per_host (const FleetCheck *check);

/* Return `checks` (FleetCheck *) as a floating GVariant of type aa{sv}. */
GVariant *fleet_checks_to_variant (const GPtrArray *checks);

/* Read checks written by fleet_checks_to_variant into `out` (FleetCheck *);
 * fails with FLEET_CHECK_ERROR_INVALID on a missing or mistyped key. */
gboolean fleet_checks_from_variant (GVariant *array, GPtrArray *out, GError **error);

G_END_DECLS
