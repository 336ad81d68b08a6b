/* workflow-schema.c: the key table of the workflow and inventory languages. */
#include "schema/workflow-schema.h"

#include "schema/fleet-expr.h"
#include "schema/fleet-step-kind.h"
#include "schema/fleet-step-overlap.h"

#include <string.h>

#define SECOND_MS G_GINT64_CONSTANT (1000)
#define HOUR_MS (3600 * SECOND_MS)
#define DAY_MS (24 * HOUR_MS)

/* Names are used as SSH host names and as command-line arguments, and 253
 * bytes is the longest DNS name. */
#define NAME_MAX_BYTES 253

/* sshd hands the command to the remote login shell as one `-c` argument,
 * and Linux rejects a single exec argument longer than 128 KiB. */
#define COMMAND_MAX_BYTES 65536

/* Secret names are looked up in a credential store, never in the plan. */
#define SECRET_NAME_MAX_BYTES 128

/* The connection keys that both the `defaults` mapping and each host
 * accept, in documentation order. */
#define CONNECTION_FIELDS(context) \
  { context, "identity_file", FLEET_TYPE_PATH_OR_PATH_LIST, FLEET_SCHEMA_NONE, FALSE, \
    1, FLEET_SCHEMA_UNBOUNDED, NULL, \
    "Private key file, or a list of them tried in order, relative to the inventory file's " \
    "directory unless it starts with ~/; an empty list offers ssh-agent keys only." }, \
  { context, "identities_only", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE, \
    0, 0, "false", \
    "Offer only the identity files, not every key of ssh-agent." }, \
  { context, "known_hosts_file", FLEET_TYPE_PATH_OR_PATH_LIST, FLEET_SCHEMA_NONE, FALSE, \
    1, FLEET_SCHEMA_UNBOUNDED, "~/.ssh/known_hosts", \
    "known_hosts file, or a list of them, relative to the inventory file's directory unless " \
    "it starts with ~/; accept-new records keys in the first." }, \
  { context, "host_key_policy", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE, \
    1, FLEET_SCHEMA_UNBOUNDED, "strict", \
    "strict rejects a host key that known_hosts lacks; accept-new records it on first " \
    "contact.  A changed key is rejected under both." }, \
  { context, "hash_known_hosts", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE, \
    0, 0, "false", \
    "accept-new records the host's name hashed (|1|salt|hash), as ssh's HashKnownHosts " \
    "does." }, \
  { context, "proxy_jump", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE, \
    1, FLEET_SCHEMA_UNBOUNDED, NULL, \
    "Jump hosts to connect through, [user@]host[:port] separated by commas, or none." }, \
  { context, "connect_timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE, \
    1, HOUR_MS, "10s", \
    "Maximum time to open the SSH connection, from 1ms to 1h." }, \
  { context, "keepalive_interval", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE, \
    0, DAY_MS, "15s", \
    "Silence after which fleet-run sends a keepalive, up to 1d; 0 sends none." }, \
  { context, "keepalive_count_max", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE, \
    1, 1000, "3", \
    "Unanswered keepalives after which fleet-run gives up on the host." }, \
  { context, "max_sessions", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE, \
    1, 1000, "10", \
    "Sessions the host's sshd allows on one connection (its MaxSessions); with " \
    "concurrent_steps, at most this many steps of the host run at once." }, \
  { context, "key_passphrase_secret", FLEET_TYPE_SECRET_NAME, FLEET_SCHEMA_NONE, FALSE, \
    1, SECRET_NAME_MAX_BYTES, NULL, \
    "Name of the secret that holds the identity files' passphrase." }, \
  { context, "become_password_secret", FLEET_TYPE_SECRET_NAME, FLEET_SCHEMA_NONE, FALSE, \
    1, SECRET_NAME_MAX_BYTES, NULL, \
    "Name of the secret that holds the sudo password." }

static const FleetSchemaField schema_fields[] = {
  /* Workflow file, top level. */
  { FLEET_SCHEMA_WORKFLOW, "name", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, TRUE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Name of the workflow, shown in plans and run logs." },
  { FLEET_SCHEMA_WORKFLOW, "inventory", FLEET_TYPE_PATH_OR_PATH_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Inventory file, or list of inventory files combined in order, relative to the workflow "
    "file's directory; required unless an inventory is given on the command line." },
  { FLEET_SCHEMA_WORKFLOW, "inventory_timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    SECOND_MS, HOUR_MS, "60s",
    "Maximum run time of each dynamic inventory program, from 1s to 1h, its --host runs "
    "included." },
  { FLEET_SCHEMA_WORKFLOW, "target", FLEET_TYPE_MAPPING, FLEET_SCHEMA_TARGET, TRUE,
    0, 0, NULL,
    "Hosts the steps run on." },
  { FLEET_SCHEMA_WORKFLOW, "parallelism", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 100000, "10",
    "Maximum number of hosts that run steps at the same time." },
  { FLEET_SCHEMA_WORKFLOW, "concurrent_steps", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_STEP_OVERLAP_MAX_SESSIONS, "1",
    "Maximum number of independent steps of one host that run at the same time, each on its "
    "own channel of the host's connection; 1 runs them one after the other." },
  { FLEET_SCHEMA_WORKFLOW, "concurrency", FLEET_TYPE_MAPPING, FLEET_SCHEMA_CONCURRENCY, FALSE,
    0, 0, NULL,
    "How fleet-run moves the number of busy hosts within `parallelism`, and caps per "
    "attribute value." },
  { FLEET_SCHEMA_WORKFLOW, "protect", FLEET_TYPE_MAPPING, FLEET_SCHEMA_PROTECT, FALSE,
    0, 0, NULL,
    "Protection of the target hosts: a load guard before a host starts, and nice/ionice for "
    "the commands." },
  { FLEET_SCHEMA_WORKFLOW, "canary", FLEET_TYPE_COUNT_OR_MAPPING, FLEET_SCHEMA_CANARY, FALSE,
    1, G_MAXUINT32, NULL,
    "Hosts that run first, in a wave of their own: a host count, or `hosts` or `where`." },
  { FLEET_SCHEMA_WORKFLOW, "waves", FLEET_TYPE_BATCH_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, G_MAXUINT32, "[100%]",
    "Wave sizes, each a host count or a percentage (1% to 100%) of the selected hosts." },
  { FLEET_SCHEMA_WORKFLOW, "spread", FLEET_TYPE_MAPPING_OR_LIST, FLEET_SCHEMA_SPREAD, FALSE,
    0, 0, NULL,
    "Limits on the hosts of one failure domain in a wave; one rule or a list." },
  { FLEET_SCHEMA_WORKFLOW, "order", FLEET_TYPE_MAPPING, FLEET_SCHEMA_ORDER, FALSE,
    0, 0, NULL,
    "Plan the hosts stage by stage, one stage per value of an attribute or group." },
  { FLEET_SCHEMA_WORKFLOW, "halt_at", FLEET_TYPE_MAPPING, FLEET_SCHEMA_HALT_AT, FALSE,
    0, 0, NULL,
    "Failure thresholds that halt the run." },
  { FLEET_SCHEMA_WORKFLOW, "vars", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    0, 0, NULL,
    "Variables for `{{ name }}` references in `run` and the other step values that take them; host attributes override them." },
  { FLEET_SCHEMA_WORKFLOW, "include", FLEET_TYPE_PATH_OR_PATH_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Files of steps, relative to this file's directory, whose steps run before `steps`." },
  { FLEET_SCHEMA_WORKFLOW, "steps", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_STEP, FALSE,
    0, 0, NULL,
    "Commands to run on each host, in order; required unless `include` is given." },
  { FLEET_SCHEMA_WORKFLOW, "windows", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_WINDOW, FALSE,
    0, 0, NULL,
    "Maintenance windows: the only times the steps may run, per group." },
  { FLEET_SCHEMA_WORKFLOW, "freezes", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_WINDOW, FALSE,
    0, 0, NULL,
    "Change freezes: times no step may run, whatever the windows say." },
  { FLEET_SCHEMA_WORKFLOW, "schedule", FLEET_TYPE_MAPPING, FLEET_SCHEMA_SCHEDULE, FALSE,
    0, 0, NULL,
    "How steps fit into the windows: the safety margin and what the end of a window does." },
  { FLEET_SCHEMA_WORKFLOW, "snapshot", FLEET_TYPE_MAPPING, FLEET_SCHEMA_SNAPSHOT, FALSE,
    0, 0, NULL,
    "Configuration snapshots of each host before the first and after the last step, "
    "compared to show what changed." },

  { FLEET_SCHEMA_WORKFLOW, "checks", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_CHECK, FALSE,
    0, 0, NULL,
    "Validation checks run after each wave and before the next; a failed check halts the "
    "run or fails hosts." },
  { FLEET_SCHEMA_WORKFLOW, "between_waves", FLEET_TYPE_MAPPING, FLEET_SCHEMA_BETWEEN_WAVES,
    FALSE, 0, 0, NULL,
    "A pause or an approval gate between one wave and the next." },
  { FLEET_SCHEMA_WORKFLOW, "rollback", FLEET_TYPE_MAPPING, FLEET_SCHEMA_ROLLBACK, FALSE,
    0, 0, NULL,
    "Commands that undo the workflow on a host, for `fleet-run --rollback` and "
    "`on_halt: rollback`." },

  /* One item of the workflow `checks`. */
  { FLEET_SCHEMA_CHECK, "name", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, TRUE,
    1, NAME_MAX_BYTES, NULL,
    "Name of the check, shown in the journal and the summary." },
  { FLEET_SCHEMA_CHECK, "run", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Shell command run over SSH on each host of the finished wave that succeeded." },
  { FLEET_SCHEMA_CHECK, "local", FLEET_TYPE_STRING_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Program and arguments run on the controller, without a shell unless `shell` is true." },
  { FLEET_SCHEMA_CHECK, "shell", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Run the one item of `local` with /bin/sh -c." },
  { FLEET_SCHEMA_CHECK, "http", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 8192, NULL,
    "http:// or https:// URL to GET; with `{{ name }}` references it is requested once per "
    "host." },
  { FLEET_SCHEMA_CHECK, "sample", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, G_MAXUINT32, "every host",
    "Check only the first this many succeeded hosts of the wave." },
  { FLEET_SCHEMA_CHECK, "expect_exit", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    0, 255, "0",
    "Exit status that `run` and `local` must return." },
  { FLEET_SCHEMA_CHECK, "expect_status", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    100, 599, "200",
    "HTTP status that `http` must return." },
  { FLEET_SCHEMA_CHECK, "expect_contains", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 4096, NULL,
    "Text the standard output or the response body must contain." },
  { FLEET_SCHEMA_CHECK, "expect_match", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 4096, NULL,
    "Regular expression (PCRE) the standard output or the response body must match." },
  { FLEET_SCHEMA_CHECK, "retries", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    0, 1000, "0",
    "Tries after a failed first try." },
  { FLEET_SCHEMA_CHECK, "interval", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    0, HOUR_MS, "5s",
    "Wait between tries, up to 1h." },
  { FLEET_SCHEMA_CHECK, "bake", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    0, DAY_MS, "0",
    "Wait after the wave ends before the first try, up to 1d." },
  { FLEET_SCHEMA_CHECK, "timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    1, HOUR_MS, "30s",
    "Maximum time of each try, from 1ms to 1h." },
  { FLEET_SCHEMA_CHECK, "on_fail", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "halt",
    "What a failed check does: halt (the run stops before the next wave) or fail_hosts "
    "(the hosts it failed on fail, and the halt thresholds decide)." },

  /* The workflow `between_waves` mapping. */
  { FLEET_SCHEMA_BETWEEN_WAVES, "pause", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    0, 30 * DAY_MS, "0",
    "Wait this long after each wave's checks pass, up to 30d." },
  { FLEET_SCHEMA_BETWEEN_WAVES, "approve", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Wait for `fleet-run --continue RUN` or `--abort RUN` before each next wave." },
  { FLEET_SCHEMA_BETWEEN_WAVES, "approve_timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE,
    FALSE, SECOND_MS, 30 * DAY_MS, "no limit",
    "Longest wait for an approval, from 1s to 30d." },
  { FLEET_SCHEMA_BETWEEN_WAVES, "on_timeout", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "halt",
    "What the end of `approve_timeout` does: halt or continue." },

  /* The workflow `rollback` mapping. */
  { FLEET_SCHEMA_ROLLBACK, "undo", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Step name to the shell command that undoes it; run for each started step, newest "
    "first." },
  { FLEET_SCHEMA_ROLLBACK, "steps", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_ROLLBACK_STEP, FALSE,
    0, 0, NULL,
    "Commands run in order after the undo commands." },
  { FLEET_SCHEMA_ROLLBACK, "timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    1, DAY_MS, "10m",
    "Maximum run time of each undo command, from 1ms to 1d." },
  { FLEET_SCHEMA_ROLLBACK, "become", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Run the undo commands through sudo -n." },
  { FLEET_SCHEMA_ROLLBACK, "on_halt", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "stop",
    "What a halted run does: stop, or rollback the changed hosts of the failed wave." },
  { FLEET_SCHEMA_ROLLBACK, "idempotent", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "The rollback commands may run again after a crash during one of them." },

  /* One item of the `steps` of `rollback`. */
  { FLEET_SCHEMA_ROLLBACK_STEP, "name", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, TRUE,
    1, NAME_MAX_BYTES, NULL,
    "Name of the rollback step, shown in the journal." },
  { FLEET_SCHEMA_ROLLBACK_STEP, "run", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, TRUE,
    1, COMMAND_MAX_BYTES, NULL,
    "Shell command to run, as written." },
  { FLEET_SCHEMA_ROLLBACK_STEP, "timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    1, DAY_MS, "10m",
    "Maximum run time, from 1ms to 1d." },
  { FLEET_SCHEMA_ROLLBACK_STEP, "become", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Run the command through sudo -n." },
  /* The workflow `concurrency` mapping. */
  { FLEET_SCHEMA_CONCURRENCY, "adaptive", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "true",
    "Adjust the number of busy hosts to measured latency, timeouts and connection failures "
    "(additive increase, multiplicative decrease); false keeps it at `parallelism`." },
  { FLEET_SCHEMA_CONCURRENCY, "initial", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 100000, "16",
    "Busy hosts at the start of the run, before the limit adapts; at most `parallelism`." },
  { FLEET_SCHEMA_CONCURRENCY, "min", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 100000, "1",
    "The limit never falls below this many busy hosts." },
  { FLEET_SCHEMA_CONCURRENCY, "caps", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    0, 0, NULL,
    "Attribute name to host count: at most that many busy hosts share one value of the "
    "attribute (per data center, rack or package mirror)." },

  /* The workflow `protect` mapping. */
  { FLEET_SCHEMA_PROTECT, "max_load", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 32, NULL,
    "A host whose 1-minute load average (/proc/loadavg) is above this number waits before "
    "its first step." },
  { FLEET_SCHEMA_PROTECT, "guard", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "A command run on the host before its first step; the host waits while it exits "
    "non-zero." },
  { FLEET_SCHEMA_PROTECT, "defer", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    SECOND_MS, HOUR_MS, "30s",
    "Wait between two checks of a host that is too busy." },
  { FLEET_SCHEMA_PROTECT, "max_wait", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    SECOND_MS, 24 * HOUR_MS, "10m",
    "A host still too busy after this long fails, with its load in the message." },
  { FLEET_SCHEMA_PROTECT, "nice", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    0, 19, NULL,
    "Run each step command under `nice -n` with this niceness." },
  { FLEET_SCHEMA_PROTECT, "ionice", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, 16, NULL,
    "Run each step command under `ionice`: `idle` or `best-effort`." },

  /* The workflow `snapshot` mapping. */
  { FLEET_SCHEMA_SNAPSHOT, "categories", FLEET_TYPE_NAME_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, 32, "every category",
    "Categories to collect: os, packages, services, files, sysctl, ports, users, groups, "
    "mounts, facts." },
  { FLEET_SCHEMA_SNAPSHOT, "files", FLEET_TYPE_STRING_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, 4096, NULL,
    "Remote paths or shell globs of files to record (SHA-256, mode, owner, size, link "
    "target); a directory contributes every file under it." },
  { FLEET_SCHEMA_SNAPSHOT, "facts", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Custom facts: name to shell command whose standard output is the fact's value." },
  { FLEET_SCHEMA_SNAPSHOT, "expect", FLEET_TYPE_MAPPING, FLEET_SCHEMA_SNAPSHOT_EXPECT, FALSE,
    0, 0, NULL,
    "Expected changes: per category, globs of item keys whose changes are expected." },
  { FLEET_SCHEMA_SNAPSHOT, "on_unexpected", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "warn",
    "What an unexpected change does: warn, fail_host, or halt (the host fails and no "
    "further host starts)." },
  { FLEET_SCHEMA_SNAPSHOT, "baseline", FLEET_TYPE_PATH, FLEET_SCHEMA_NONE, FALSE,
    1, 4096, NULL,
    "Baseline file of desired state (docs/verify.md), relative to the workflow file; each "
    "host's before snapshot is checked against it." },
  { FLEET_SCHEMA_SNAPSHOT, "drift", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "none",
    "latest: compare each host's before snapshot with its latest snapshot in the store, to "
    "find changes made since; none: do not." },
  { FLEET_SCHEMA_SNAPSHOT, "on_drift", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "warn",
    "What drift or a baseline violation found before the first step does: warn, fail_host "
    "(the host runs no step), or halt (and no further host starts)." },

#define EXPECT_FIELD(category) \
  { FLEET_SCHEMA_SNAPSHOT_EXPECT, category, FLEET_TYPE_STRING_LIST, FLEET_SCHEMA_NONE, FALSE, \
    1, 4096, NULL, \
    "Globs of " category " keys whose changes are expected; * stops at /, ** does not." }
  EXPECT_FIELD ("os"),
  EXPECT_FIELD ("packages"),
  EXPECT_FIELD ("services"),
  EXPECT_FIELD ("files"),
  EXPECT_FIELD ("sysctl"),
  EXPECT_FIELD ("ports"),
  EXPECT_FIELD ("users"),
  EXPECT_FIELD ("groups"),
  EXPECT_FIELD ("mounts"),
  EXPECT_FIELD ("facts"),
#undef EXPECT_FIELD

  /* Workflow `target` mapping. */
  { FLEET_SCHEMA_TARGET, "all", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Select every host of the inventory." },
  { FLEET_SCHEMA_TARGET, "groups", FLEET_TYPE_NAME_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Select the hosts of these inventory groups." },
  { FLEET_SCHEMA_TARGET, "hosts", FLEET_TYPE_NAME_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Select these inventory hosts." },
  { FLEET_SCHEMA_TARGET, "match", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    0, 0, NULL,
    "Keep only the selected hosts whose attributes equal all of these values." },
  { FLEET_SCHEMA_TARGET, "where", FLEET_TYPE_EXPRESSION, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_EXPR_MAX_LENGTH, NULL,
    "Keep only the hosts this selector expression is true for; alone, it filters the "
    "whole inventory." },

  /* Workflow `canary` mapping. */
  { FLEET_SCHEMA_CANARY, "hosts", FLEET_TYPE_NAME_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "These selected hosts are the canaries." },
  { FLEET_SCHEMA_CANARY, "where", FLEET_TYPE_EXPRESSION, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_EXPR_MAX_LENGTH, NULL,
    "The selected hosts this selector expression is true for are the canaries." },

  /* One rule of the workflow `spread`. */
  { FLEET_SCHEMA_SPREAD, "by", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, TRUE,
    1, NAME_MAX_BYTES, NULL,
    "Host attribute whose values are the failure domains, such as rack." },
  { FLEET_SCHEMA_SPREAD, "max_per_wave", FLEET_TYPE_COUNT_OR_PERCENT, FLEET_SCHEMA_NONE, TRUE,
    1, G_MAXUINT32, NULL,
    "Most hosts of one domain in a wave: a count, or a percentage of the domain's hosts." },

  /* Workflow `order` mapping. */
  { FLEET_SCHEMA_ORDER, "by", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, TRUE,
    1, NAME_MAX_BYTES, NULL,
    "Host attribute whose values are the stages, or `group` for inventory groups." },
  { FLEET_SCHEMA_ORDER, "sequence", FLEET_TYPE_STRING_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "The stages in order; without it, the values sorted." },

  /* Workflow `halt_at` mapping. */
  { FLEET_SCHEMA_HALT_AT, "failed_per_wave", FLEET_TYPE_THRESHOLD, FLEET_SCHEMA_NONE, FALSE,
    1, G_MAXUINT32, "1",
    "Failed hosts in one wave that halt the run." },
  { FLEET_SCHEMA_HALT_AT, "unreachable_per_wave", FLEET_TYPE_THRESHOLD, FLEET_SCHEMA_NONE, FALSE,
    1, G_MAXUINT32, "1",
    "Unreachable hosts in one wave that halt the run." },
  { FLEET_SCHEMA_HALT_AT, "failed_total", FLEET_TYPE_THRESHOLD, FLEET_SCHEMA_NONE, FALSE,
    1, G_MAXUINT32, "unlimited",
    "Failed hosts in the whole run that halt it." },
  { FLEET_SCHEMA_HALT_AT, "unreachable_total", FLEET_TYPE_THRESHOLD, FLEET_SCHEMA_NONE, FALSE,
    1, G_MAXUINT32, "unlimited",
    "Unreachable hosts in the whole run that halt it." },

  /* One item of the workflow `steps` list. */
  { FLEET_SCHEMA_STEP, "name", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, TRUE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Name of the step, unique within the workflow." },
  { FLEET_SCHEMA_STEP, "run", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Shell command run on each host; a step has exactly one of run, script, copy, template, "
    "reboot, wait_for and local." },
  { FLEET_SCHEMA_STEP, "when", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_EXPR_MAX_LENGTH, NULL,
    "Condition over host attributes, variables, `name`, `groups`, `facts.*` and "
    "`steps.NAME.rc`/`.stdout`; the step is skipped, and reported so, where it is false." },
  { FLEET_SCHEMA_STEP, "needs", FLEET_TYPE_NAME_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Names of steps that must run before this one; steps are reordered to satisfy them. An entry `{step: S, on: GROUP}` also waits until every host of the group finished S." },
  { FLEET_SCHEMA_STEP, "timeout", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    1, 7 * DAY_MS, NULL,
    "Maximum run time of the command on one host, from 1ms to 7d; no limit when absent." },
  { FLEET_SCHEMA_STEP, "estimate", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    1, 7 * DAY_MS, NULL,
    "Expected run time on one host, for fitting hosts into windows, from 1ms to 7d; "
    "without it, the 95th percentile of the runs given to --history, then `timeout`." },
  { FLEET_SCHEMA_STEP, "expect_exit", FLEET_TYPE_INT_OR_INT_LIST, FLEET_SCHEMA_NONE, FALSE,
    0, 255, "[0]",
    "Exit status, or list of exit statuses, that count as success." },
  { FLEET_SCHEMA_STEP, "become", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Run the command through `sudo -n`." },
  { FLEET_SCHEMA_STEP, "become_user", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, "root",
    "User that sudo runs the command as; setting it implies `become: true`." },
  { FLEET_SCHEMA_STEP, "idempotent", FLEET_TYPE_BOOL, FLEET_SCHEMA_NONE, FALSE,
    0, 0, "false",
    "Running the command again after a partial run is safe; `fleet-run --resume` re-runs "
    "the step where a run stopped while it was in flight, instead of holding the host." },
  { FLEET_SCHEMA_STEP, "script", FLEET_TYPE_PATH, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Local script file, relative to the workflow file's directory, stored in the plan and "
    "sent to `interpreter` on its standard input; never written to the host's disk." },
  { FLEET_SCHEMA_STEP, "interpreter", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, FLEET_DEFAULT_SCRIPT_INTERPRETER,
    "Remote command that reads the `script` on its standard input." },
  { FLEET_SCHEMA_STEP, "copy", FLEET_TYPE_MAPPING, FLEET_SCHEMA_COPY, FALSE,
    0, 0, NULL,
    "Write a local file to the host, unless the host has it already." },
  { FLEET_SCHEMA_STEP, "template", FLEET_TYPE_MAPPING, FLEET_SCHEMA_COPY, FALSE,
    0, 0, NULL,
    "Render a local file with the host's variables, then write it like `copy`." },
  { FLEET_SCHEMA_STEP, "reboot", FLEET_TYPE_MAPPING, FLEET_SCHEMA_REBOOT, FALSE,
    0, 0, NULL,
    "Reboot the host and wait until it answers again with a new boot id." },
  { FLEET_SCHEMA_STEP, "wait_for", FLEET_TYPE_MAPPING, FLEET_SCHEMA_WAIT_FOR, FALSE,
    0, 0, NULL,
    "Wait until a TCP port accepts connections, a file exists or a command succeeds on "
    "the host." },
  { FLEET_SCHEMA_STEP, "local", FLEET_TYPE_STRING_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Program and arguments run on the controller, once per host, without a shell; "
    "`{{ name }}` references are replaced verbatim." },
  { FLEET_SCHEMA_STEP, "retries", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    0, 100, "0",
    "Further attempts after a failed one, each after `retry_delay`." },
  { FLEET_SCHEMA_STEP, "retry_delay", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    0, DAY_MS, "1s",
    "Wait before each further attempt, up to 1d." },
  { FLEET_SCHEMA_STEP, "env", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    0, 0, NULL,
    "Environment variables of the command, each value shell-quoted." },
  { FLEET_SCHEMA_STEP, "workdir", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 4096, "the login directory",
    "Remote directory the command starts in; the step fails when it cannot be entered." },
  { FLEET_SCHEMA_STEP, "changed_when", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_EXPR_MAX_LENGTH, "true",
    "Condition over `rc`, `stdout` and `stderr` that says whether the step changed the host." },
  { FLEET_SCHEMA_STEP, "failed_when", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_EXPR_MAX_LENGTH, NULL,
    "Condition over `rc`, `stdout` and `stderr` that replaces the `expect_exit` check." },

  /* A step's `copy` or `template` mapping. */
  { FLEET_SCHEMA_COPY, "src", FLEET_TYPE_PATH, FLEET_SCHEMA_NONE, TRUE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Local file, relative to the workflow file's directory; its bytes go into the plan." },
  { FLEET_SCHEMA_COPY, "dest", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, TRUE,
    2, 4096, NULL,
    "Absolute path of the file on the host." },
  { FLEET_SCHEMA_COPY, "mode", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "0644 for a new file",
    "Permission bits in octal, such as 0640; without it an existing file keeps its mode." },
  { FLEET_SCHEMA_COPY, "owner", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "User that owns the file; changing it needs `become`." },
  { FLEET_SCHEMA_COPY, "group", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Group of the file." },

  /* A step's `reboot` mapping. */
  { FLEET_SCHEMA_REBOOT, "command", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, FLEET_DEFAULT_REBOOT_COMMAND,
    "Command that reboots the host; the connection may drop while it runs." },
  { FLEET_SCHEMA_REBOOT, "deadline", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    SECOND_MS, DAY_MS, "10m",
    "Maximum time from the reboot command until the host answers with a new boot id." },
  { FLEET_SCHEMA_REBOOT, "boot_id_file", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    2, 4096, FLEET_DEFAULT_BOOT_ID_FILE,
    "Remote file whose content changes at every boot." },

  /* A step's `wait_for` mapping. */
  { FLEET_SCHEMA_WAIT_FOR, "port", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 65535, NULL,
    "TCP port that must accept a connection from the host to `address`." },
  { FLEET_SCHEMA_WAIT_FOR, "address", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, FLEET_DEFAULT_WAIT_HOST,
    "Address the host connects to for `port`." },
  { FLEET_SCHEMA_WAIT_FOR, "path", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 4096, NULL,
    "Remote file that must exist." },
  { FLEET_SCHEMA_WAIT_FOR, "command", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, COMMAND_MAX_BYTES, NULL,
    "Shell command that must exit with status 0." },
  { FLEET_SCHEMA_WAIT_FOR, "deadline", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    SECOND_MS, DAY_MS, "5m",
    "Maximum time to wait; the step fails after it." },
  { FLEET_SCHEMA_WAIT_FOR, "interval", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    100, HOUR_MS, "1s",
    "Time between two checks, from 100ms to 1h." },

  /* Inventory file, top level. */
  { FLEET_SCHEMA_INVENTORY, "defaults", FLEET_TYPE_MAPPING, FLEET_SCHEMA_DEFAULTS, FALSE,
    0, 0, NULL,
    "Settings applied to every host that does not set them itself." },
  { FLEET_SCHEMA_INVENTORY, "hosts", FLEET_TYPE_MAPPING_BY_NAME, FLEET_SCHEMA_HOST, TRUE,
    1, NAME_MAX_BYTES, NULL,
    "Hosts by name; an empty value gives a host with the defaults only." },
  { FLEET_SCHEMA_INVENTORY, "groups", FLEET_TYPE_NAME_LIST_BY_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Groups by name, each a list of host names." },
  { FLEET_SCHEMA_INVENTORY, "settings", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_SETTINGS, FALSE,
    0, 0, NULL,
    "Connection settings for the hosts a selector picks, above `defaults`; for each setting "
    "the first entry that selects the host and gives it wins." },

  /* Inventory `defaults` mapping. */
  { FLEET_SCHEMA_DEFAULTS, "user", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Remote login user." },
  { FLEET_SCHEMA_DEFAULTS, "port", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 65535, "22",
    "SSH port." },
  CONNECTION_FIELDS (FLEET_SCHEMA_DEFAULTS),

  /* One item of the inventory's `settings` list. */
  { FLEET_SCHEMA_SETTINGS, "where", FLEET_TYPE_EXPRESSION, FLEET_SCHEMA_NONE, TRUE,
    1, FLEET_EXPR_MAX_LENGTH, NULL,
    "Selector of the hosts the entry applies to, over `name`, attributes and `groups`." },
  { FLEET_SCHEMA_SETTINGS, "user", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Remote login user." },
  { FLEET_SCHEMA_SETTINGS, "port", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 65535, "22",
    "SSH port." },
  CONNECTION_FIELDS (FLEET_SCHEMA_SETTINGS),

  /* Inventory host settings. */
  { FLEET_SCHEMA_HOST, "address", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, "the host name",
    "Host name or IP address to connect to." },
  { FLEET_SCHEMA_HOST, "port", FLEET_TYPE_INT, FLEET_SCHEMA_NONE, FALSE,
    1, 65535, "22",
    "SSH port." },
  { FLEET_SCHEMA_HOST, "user", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Remote login user." },
  CONNECTION_FIELDS (FLEET_SCHEMA_HOST),
  { FLEET_SCHEMA_HOST, "attributes", FLEET_TYPE_STRING_MAP, FLEET_SCHEMA_NONE, FALSE,
    0, 0, NULL,
    "Free-form attributes (dc, rack, role) that selectors, `spread` and `order` use." },

  /* A file named by `include`. */
  { FLEET_SCHEMA_STEPS_FILE, "include", FLEET_TYPE_PATH_OR_PATH_LIST, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "Further files of steps, relative to this file's directory, whose steps come first." },
  { FLEET_SCHEMA_STEPS_FILE, "steps", FLEET_TYPE_MAPPING_LIST, FLEET_SCHEMA_STEP, TRUE,
    0, 0, NULL,
    "Steps, with the keys of a workflow's steps." },

  /* The workflow `schedule` mapping. */
  { FLEET_SCHEMA_SCHEDULE, "margin", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    0, DAY_MS, "5m",
    "Time a window must still have open beyond a step's estimate for the step to start, "
    "up to 1d." },
  { FLEET_SCHEMA_SCHEDULE, "at_window_end", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "finish",
    "What a step still running when its window closes does: finish, or abort (the command "
    "is killed and the host resumes at that step)." },

  /* One item of the workflow `windows` or `freezes` list. */
  { FLEET_SCHEMA_WINDOW, "name", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, NULL,
    "Name shown in listings and warnings; required unless \"calendar\" is given." },
  { FLEET_SCHEMA_WINDOW, "start", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 64, NULL,
    "Local date and time of the first instance, such as 2025-01-07T02:00." },
  { FLEET_SCHEMA_WINDOW, "duration", FLEET_TYPE_DURATION, FLEET_SCHEMA_NONE, FALSE,
    SECOND_MS, 366 * DAY_MS, NULL,
    "Length of each instance, from 1s to 366d, in exact elapsed time." },
  { FLEET_SCHEMA_WINDOW, "rrule", FLEET_TYPE_STRING, FLEET_SCHEMA_NONE, FALSE,
    1, 1024, NULL,
    "RFC 5545 recurrence rule, such as FREQ=WEEKLY;BYDAY=TU; one instance when absent." },
  { FLEET_SCHEMA_WINDOW, "timezone", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, 128, NULL,
    "IANA time zone of `start`, such as Europe/Berlin; for a calendar, the zone of its "
    "floating times and all-day events." },
  { FLEET_SCHEMA_WINDOW, "applies_to", FLEET_TYPE_NAME_LIST_OR_ALL, FLEET_SCHEMA_NONE, FALSE,
    1, NAME_MAX_BYTES, "all",
    "Inventory groups the entry applies to, or `all` for every host." },
  { FLEET_SCHEMA_WINDOW, "calendar", FLEET_TYPE_PATH, FLEET_SCHEMA_NONE, FALSE,
    1, FLEET_SCHEMA_UNBOUNDED, NULL,
    "iCalendar file whose events are the entry's instances, relative to the workflow "
    "file's directory; replaces start, duration and rrule." },
  { FLEET_SCHEMA_WINDOW, "kind", FLEET_TYPE_NAME, FLEET_SCHEMA_NONE, FALSE,
    1, 16, "the list's kind",
    "What a calendar's events are: `window` or `freeze`; it must match the list." },
};

static const char * const context_names[] = {
  [FLEET_SCHEMA_NONE] = "value",
  [FLEET_SCHEMA_WORKFLOW] = "workflow",
  [FLEET_SCHEMA_TARGET] = "target",
  [FLEET_SCHEMA_STEP] = "step",
  [FLEET_SCHEMA_INVENTORY] = "inventory",
  [FLEET_SCHEMA_DEFAULTS] = "defaults",
  [FLEET_SCHEMA_HOST] = "host",
  [FLEET_SCHEMA_CANARY] = "canary",
  [FLEET_SCHEMA_SPREAD] = "spread",
  [FLEET_SCHEMA_ORDER] = "order",
  [FLEET_SCHEMA_HALT_AT] = "halt_at",
  [FLEET_SCHEMA_WINDOW] = "window",
  [FLEET_SCHEMA_SNAPSHOT] = "snapshot",
  [FLEET_SCHEMA_SNAPSHOT_EXPECT] = "snapshot expect",
  [FLEET_SCHEMA_STEPS_FILE] = "steps file",
  [FLEET_SCHEMA_CHECK] = "check",
  [FLEET_SCHEMA_BETWEEN_WAVES] = "between_waves",
  [FLEET_SCHEMA_ROLLBACK] = "rollback",
  [FLEET_SCHEMA_ROLLBACK_STEP] = "rollback step",
  [FLEET_SCHEMA_COPY] = "copy",
  [FLEET_SCHEMA_REBOOT] = "reboot",
  [FLEET_SCHEMA_WAIT_FOR] = "wait_for",
  [FLEET_SCHEMA_CONCURRENCY] = "concurrency",
  [FLEET_SCHEMA_PROTECT] = "protect",
  [FLEET_SCHEMA_SCHEDULE] = "schedule",
  [FLEET_SCHEMA_SETTINGS] = "settings",
};

static const char * const type_names[] = {
  [FLEET_TYPE_STRING] = "string",
  [FLEET_TYPE_NAME] = "name",
  [FLEET_TYPE_PATH] = "path",
  [FLEET_TYPE_PATH_OR_PATH_LIST] = "path or list of paths",
  [FLEET_TYPE_SECRET_NAME] = "secret name",
  [FLEET_TYPE_BOOL] = "boolean",
  [FLEET_TYPE_INT] = "integer",
  [FLEET_TYPE_DURATION] = "duration",
  [FLEET_TYPE_INT_OR_INT_LIST] = "integer or list of integers",
  [FLEET_TYPE_BATCH_LIST] = "list of wave sizes",
  [FLEET_TYPE_NAME_LIST] = "list of names",
  [FLEET_TYPE_STRING_MAP] = "mapping of names to strings",
  [FLEET_TYPE_MAPPING] = "mapping",
  [FLEET_TYPE_MAPPING_LIST] = "list of mappings",
  [FLEET_TYPE_MAPPING_BY_NAME] = "mapping of names to mappings",
  [FLEET_TYPE_NAME_LIST_BY_NAME] = "mapping of names to lists of names",
  [FLEET_TYPE_EXPRESSION] = "expression",
  [FLEET_TYPE_STRING_LIST] = "list of strings",
  [FLEET_TYPE_COUNT_OR_MAPPING] = "host count or mapping",
  [FLEET_TYPE_MAPPING_OR_LIST] = "mapping or list of mappings",
  [FLEET_TYPE_COUNT_OR_PERCENT] = "host count or percentage",
  [FLEET_TYPE_THRESHOLD] = "host count, percentage or unlimited",
  [FLEET_TYPE_NAME_LIST_OR_ALL] = "all or list of names",
};

const FleetSchemaField *
fleet_schema_fields (gsize *n_fields)
{
  *n_fields = G_N_ELEMENTS (schema_fields);
  return schema_fields;
}

const FleetSchemaField *
fleet_schema_lookup (FleetSchemaContext context, const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS (schema_fields); i++)
    if (schema_fields[i].context == context && strcmp (schema_fields[i].key, key) == 0)
      return &schema_fields[i];

  return NULL;
}

const char *
fleet_schema_context_name (FleetSchemaContext context)
{
  g_return_val_if_fail ((gsize) context < G_N_ELEMENTS (context_names), "value");
  return context_names[context];
}

const char *
fleet_schema_type_name (FleetSchemaType type)
{
  g_return_val_if_fail ((gsize) type < G_N_ELEMENTS (type_names), "value");
  return type_names[type];
}
