/* fleet-run: execute a plan file over SSH.
 *
 * Exit status: 0 every host succeeded; 1 a host failed or was not run;
 * 2 bad options or a bad plan, including one that is unsigned, expired or
 * compiled from changed inventory files (fleet-run-trust.h); 3 interrupted
 * (SIGINT, SIGTERM or SIGHUP).
 */
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cli/fleet-run-control.h"
#include "cli/fleet-run-output.h"
#include "cli/fleet-run-progress.h"
#include "cli/fleet-run-registry.h"
#include "cli/fleet-run-resume.h"
#include "cli/fleet-run-secrets.h"
#include "cli/fleet-run-trust.h"
#include "runtime/fleet-executor.h"
#include "runtime/fleet-limits.h"
#include "runtime/fleet-report.h"
#include "runtime/fleet-drift-report.h"
#include "runtime/fleet-resume.h"
#include "runtime/fleet-snapshot-report.h"
#include "schema/fleet-text.h"

#define EXIT_BAD_INPUT 2

/* More handshake threads than this only add memory: each login costs the
 * client a few milliseconds of CPU, so a thread per core keeps up. */
#define FLEET_RUN_MAX_HANDSHAKE_THREADS 256

static volatile sig_atomic_t interrupt_level;

static void
on_interrupt (int signal_number)
{
  if (interrupt_level < 2)
    interrupt_level++;
}

static void
install_signal_handlers (void)
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = on_interrupt;
  sigemptyset (&action.sa_mask);
  /* No SA_RESTART: poll() must return EINTR so the loop checks the signal. */
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  /* A dropped login session to the control machine must not kill a run
   * halfway without a journal end or a summary. */
  sigaction (SIGHUP, &action, NULL);
  signal (SIGPIPE, SIG_IGN);
}

/* Parse a byte count with an optional K, M or G suffix (powers of 1024). */
static gboolean
parse_size (const char *text, guint64 *out_bytes)
{
  char *end = NULL;
  guint64 value;
  guint shift = 0;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;

  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0)
    return FALSE;

  switch (g_ascii_toupper (*end))
    {
    case 'K': shift = 10; end++; break;
    case 'M': shift = 20; end++; break;
    case 'G': shift = 30; end++; break;
    default: break;
    }
  if (*end != '\0' || value > (G_MAXUINT64 >> shift))
    return FALSE;

  *out_bytes = value << shift;
  return TRUE;
}

/* Parse a grace period: whole seconds, or a number with the unit s, m or h
 * ("45", "30s", "2m"). */
static gboolean
parse_grace_period (const char *text, guint64 *out_ms)
{
  char *end = NULL;
  guint64 value;
  guint64 unit_ms = 1000;

  if (text == NULL || !g_ascii_isdigit (text[0]))
    return FALSE;

  errno = 0;
  value = g_ascii_strtoull (text, &end, 10);
  if (errno != 0)
    return FALSE;

  if (strcmp (end, "m") == 0)
    unit_ms = 60 * 1000;
  else if (strcmp (end, "h") == 0)
    unit_ms = 3600 * 1000;
  else if (*end != '\0' && strcmp (end, "s") != 0)
    return FALSE;
  if (value == 0 || value > G_MAXUINT32 / unit_ms)
    return FALSE;

  *out_ms = value * unit_ms;
  return TRUE;
}

/* A run id sorts by start time and is unique across runs started in the same
 * second. */
static char *
make_run_id (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("%s-%06x", stamp, g_random_int_range (0, 0xffffff));
}

/* Say when and how a run paused for a maintenance window continues. */
/* Say where the run's snapshots are, so that they can be compared later. */
static void
print_snapshot_locations (const FleetPlan *plan, const FleetRunResult *result,
                          const char *snapshot_store, const char *run_dir, const char *run_id)
{
  g_autofree char *default_store = g_build_filename (run_dir, "snapshots", NULL);
  g_autofree char *text = fleet_snapshot_report_format_stored (
    result, plan->steps->len, snapshot_store != NULL ? snapshot_store : default_store, run_id);

  fputs (text, stdout);
}

static void
print_window_pause (const FleetRunResult *result, const char *run_dir)
{
  g_autofree char *resume_at = NULL;

  if (result->resume_at_us == G_MAXINT64)
    {
      g_print ("\nPaused: no maintenance window of the plan is left for the hosts not done; "
               "compile the workflow again for later windows (the journal lists where each "
               "host stopped)\n");
      return;
    }

  resume_at = fleet_format_utc_seconds (result->resume_at_us / G_USEC_PER_SEC);
  g_print ("\nPaused until the next maintenance window opens at %s; then resume with\n"
           "  fleet-run --resume %s\n"
           "or run with --wait-for-window to wait in place.\n", resume_at, run_dir);
}

static gboolean
progress_mode_valid (const char *mode)
{
  return mode == NULL || g_str_equal (mode, "auto") || g_str_equal (mode, "live")
         || g_str_equal (mode, "plain") || g_str_equal (mode, "none");
}

int
main (int argc, char **argv)
{
  g_autofree char *runs_dir = NULL;
  g_autofree char *known_hosts = NULL;
  g_autofree char *output_cap = NULL;
  g_autofree char *secrets_path = NULL;
  g_autofree char *secrets_key_file = NULL;
  g_autofree char *snapshot_store = NULL;
  g_autofree char *snapshot_summary = NULL;
  g_autofree char *resume_run = NULL;
  gboolean new_run = FALSE;
  gboolean resume_after_rollback = FALSE;
  g_autofree char *plan_path = NULL;
  g_autofree char *absolute_plan_path = NULL;
  g_autofree char *grace_period = NULL;
  g_auto(GStrv) retry_hosts = NULL;
  g_auto(GStrv) skip_hosts = NULL;
  g_auto(GStrv) original_argv = g_strdupv (argv);
  g_autoptr(FleetResumeState) resume = NULL;
  g_autofree char *drift_summary = NULL;
  g_autofree char *rolled_back_note = NULL;
  g_autoptr(GPtrArray) rolled_back_hosts = NULL;
  g_autofree char *overridden_stop = NULL;
  gboolean override_wave_gate = FALSE;
  g_autoptr(FleetRunSecrets) secrets = NULL;
  g_auto(GStrv) approver_files = NULL;
  gboolean allow_changed_inventory = FALSE;
  g_autoptr(FleetRunTrust) trust = NULL;
  guint64 descriptor_limit = 0;
  g_autoptr(GOptionContext) context = g_option_context_new ("PLAN");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetPlan) plan = NULL;
  g_autoptr(FleetRunResult) result = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *run_dir = NULL;
  g_autofree char *summary = NULL;
  gboolean version = FALSE;
  gboolean wait_for_window = FALSE;
  g_autofree char *continue_run = NULL;
  g_autofree char *abort_run = NULL;
  g_autofree char *rollback_run = NULL;
  gint handshake_threads = 0;
  FleetRunOptions options = { 0 };
  g_autofree char *progress_mode = NULL;
  g_autoptr(FleetRunProgress) progress = NULL;
  gboolean print_output = FALSE;
  GOptionEntry entries[] = {
    { "progress", 0, 0, G_OPTION_ARG_STRING, &progress_mode,
      "Show progress on standard error: live (one line redrawn), plain (timestamped lines), "
      "none, or auto (live on a terminal, else plain; the default)", "MODE" },
    { "runs-dir", 'd', 0, G_OPTION_ARG_FILENAME, &runs_dir,
      "Create the run's directory (journal and output) under DIR (default: ./fleet-runs)", "DIR" },
    { "known-hosts", 0, 0, G_OPTION_ARG_FILENAME, &known_hosts,
      "Check host keys against FILE instead of each host's known_hosts file", "FILE" },
    { "output-cap", 0, 0, G_OPTION_ARG_STRING, &output_cap,
      "Keep at most SIZE bytes of each output stream of each step, its start and its end "
      "(default: 16M)", "SIZE" },
    { "secrets", 0, 0, G_OPTION_ARG_FILENAME, &secrets_path,
      "Read the secrets the plan names from the store FILE (default: $FLEETC_SECRETS, else "
      "~/.config/fleetc/secrets)", "FILE" },
    { "secrets-key-file", 0, 0, G_OPTION_ARG_FILENAME, &secrets_key_file,
      "Read the store's master passphrase from FILE (mode 0600) instead of "
      "$FLEETC_SECRETS_KEY_FILE, $FLEETC_SECRETS_PASSPHRASE or a prompt", "FILE" },
    { "require-signature", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &approver_files,
      "Run the plan only if it carries a valid signature by a key in FILE, a public key file "
      "(PEM or OpenSSH, one or more keys); repeat for more files", "FILE" },
    { "allow-changed-inventory", 0, 0, G_OPTION_ARG_NONE, &allow_changed_inventory,
      "Run the hosts as compiled even if an inventory file changed since, and record that in "
      "the journal", NULL },
    { "snapshot-store", 0, 0, G_OPTION_ARG_FILENAME, &snapshot_store,
      "Store configuration snapshots in DIR instead of RUN_DIR/snapshots", "DIR" },
    { "new-run", 0, 0, G_OPTION_ARG_NONE, &new_run,
      "Start a new run even though a run of this plan stopped without finishing", NULL },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume_run,
      "Continue the stopped run RUN (a run directory, or a run id under --runs-dir) of the same "
      "plan: completed steps are not run again", "RUN" },
    { "resume-after-rollback", 0, 0, G_OPTION_ARG_NONE, &resume_after_rollback,
      "With --resume: continue a run that a rollback undid on some hosts, starting its later "
      "waves while those hosts stay rolled back", NULL },
    { "override-wave-gate", 0, 0, G_OPTION_ARG_NONE, &override_wave_gate,
      "With --resume: start the next wave of a run that a failed check, an abort or an "
      "approval timeout stopped between waves, without running that check or gate again",
      NULL },
    { "retry-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &retry_hosts,
      "With --resume: run the held or failed host HOST again from its unfinished step; HOST "
      "may also be the word held (every held host) or a selector such as 'dc == \"dc1\"'.  "
      "With --rollback: run the undo command that was in flight on HOST when a rollback "
      "stopped again.  Repeat for more hosts", "HOST" },
    { "skip-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &skip_hosts,
      "With --resume or --rollback: leave the host HOST out of the rest of the run or of the "
      "rollback; with --resume, HOST may also be held or a selector.  Repeat for more hosts",
      "HOST" },
    { "grace-period", 0, 0, G_OPTION_ARG_STRING, &grace_period,
      "After an interrupt, let running steps go on for at most DURATION before they are "
      "aborted: seconds, or a number with s, m or h (default: 30s)", "DURATION" },
    { "wait-for-window", 0, 0, G_OPTION_ARG_NONE, &wait_for_window,
      "When every host left waits for its maintenance window, wait in place for the next one "
      "instead of pausing the run (exit status 4)", NULL },
    { "continue", 0, 0, G_OPTION_ARG_STRING, &continue_run,
      "Let run RUN, which waits for an approval between waves, start its next wave", "RUN" },
    { "abort", 0, 0, G_OPTION_ARG_STRING, &abort_run,
      "Halt run RUN, which waits for an approval between waves", "RUN" },
    { "rollback", 0, 0, G_OPTION_ARG_STRING, &rollback_run,
      "Roll back every host of run RUN on which a step started, with the rollback of PLAN, "
      "the plan RUN executed", "RUN" },
    { "handshake-threads", 0, 0, G_OPTION_ARG_INT, &handshake_threads,
      "Run the SSH handshakes and logins on N threads (default, or 0: one per online CPU)",
      "N" },
    { "print-output", 0, 0, G_OPTION_ARG_NONE, &print_output,
      "After the run, print each host's command output, every line prefixed with the host "
      "name; standard error lines go to standard error", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Run a plan made by `fleetc compile` over SSH.\n\n"
                                "With --resume RUN, PLAN may be left out: the plan file the run "
                                "started with is used.");
  if (!fleet_text_parse_options (context, &argc, &argv, &error))
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }
  if (version)
    {
      g_print ("fleet-run %s (plan format %u)\n", FLEET_VERSION, FLEET_PLAN_FORMAT_VERSION);
      return 0;
    }
  if (continue_run != NULL || abort_run != NULL || rollback_run != NULL)
    {
      const char *run = continue_run != NULL ? continue_run
                        : abort_run != NULL ? abort_run : rollback_run;

      if ((continue_run != NULL) + (abort_run != NULL) + (rollback_run != NULL) > 1
          || resume_run != NULL)
        {
          g_printerr ("fleet-run: give only one of --continue, --abort, --rollback and "
                      "--resume\n");
          return EXIT_BAD_INPUT;
        }
      if (!fleet_run_id_is_valid (run))
        {
          g_printerr ("fleet-run: invalid run id \"%s\"; give the id fleet-run printed, such "
                      "as 20261204T210307Z-0a1b2c\n", run);
          return EXIT_BAD_INPUT;
        }
      if (rollback_run == NULL && argc == 1)
        return fleet_run_control_answer (runs_dir != NULL ? runs_dir : "fleet-runs", run,
                                         continue_run != NULL ? "continue" : "abort");
    }
  if (argc != 2 && !(resume_run != NULL && argc == 1))
    {
      g_printerr ("fleet-run: expected exactly one plan file; see fleet-run --help\n");
      return EXIT_BAD_INPUT;
    }

  if (output_cap != NULL
      && (!parse_size (output_cap, &options.output_cap_bytes) || options.output_cap_bytes < 4096))
    {
      g_printerr ("fleet-run: --output-cap \"%s\" is not a size of at least 4096 bytes; "
                  "write it like 65536, 512K or 16M\n", output_cap);
      return EXIT_BAD_INPUT;
    }

  if (handshake_threads < 0 || handshake_threads > FLEET_RUN_MAX_HANDSHAKE_THREADS)
    {
      g_printerr ("fleet-run: --handshake-threads %d is out of range; give 1 to %d threads, or 0 "
                  "for one per online CPU\n", handshake_threads,
                  FLEET_RUN_MAX_HANDSHAKE_THREADS);
      return EXIT_BAD_INPUT;
    }
  options.handshake_workers = (guint) handshake_threads;

  if (resume_run == NULL && rollback_run == NULL && (retry_hosts != NULL || skip_hosts != NULL))
    {
      g_printerr ("fleet-run: --retry-host and --skip-host decide for the hosts of a stopped "
                  "run or rollback; give them with --resume RUN or --rollback RUN\n");
      return EXIT_BAD_INPUT;
    }
  if (resume_run == NULL && (resume_after_rollback || override_wave_gate))
    {
      g_printerr ("fleet-run: --resume-after-rollback and --override-wave-gate apply to a "
                  "resume; give them with --resume RUN\n");
      return EXIT_BAD_INPUT;
    }
  if (grace_period != NULL && !parse_grace_period (grace_period, &options.grace_period_ms))
    {
      g_printerr ("fleet-run: --grace-period \"%s\" is not a duration; write it like 45, "
                  "30s, 2m or 1h\n", grace_period);
      return EXIT_BAD_INPUT;
    }

  /* With --resume the run directory comes first, because it may name the
   * plan file. */
  if (resume_run != NULL)
    {
      run_dir = fleet_run_resume_find_dir (resume_run, runs_dir != NULL ? runs_dir : "fleet-runs",
                                           &error);
      plan_path = run_dir == NULL ? NULL
                  : argc == 2 ? g_strdup (argv[1])
                  : fleet_resume_recorded_plan_path (run_dir, &error);
      if (plan_path == NULL)
        {
          g_printerr ("fleet-run: cannot resume: %s\n", error->message);
          return EXIT_BAD_INPUT;
        }
    }
  else
    {
      plan_path = g_strdup (argv[1]);
    }

  plan = fleet_plan_read_file (plan_path, &error);
  if (plan == NULL)
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  trust = fleet_run_trust_check (plan,
                                 rollback_run != NULL ? FLEET_RUN_TRUST_ROLLBACK
                                 : resume_run != NULL ? FLEET_RUN_TRUST_RESUME
                                                      : FLEET_RUN_TRUST_NEW_RUN,
                                 (const char * const *) approver_files,
                                 allow_changed_inventory, &error);
  if (trust == NULL)
    {
      g_printerr ("fleet-run: %s: %s\n", plan_path, error->message);
      return EXIT_BAD_INPUT;
    }

  if (!fleet_raise_descriptor_limit (fleet_plan_descriptors_needed (plan), &descriptor_limit,
                                     &error))
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  secrets = fleet_run_secrets_open (plan, secrets_path, secrets_key_file, &error);
  if (secrets == NULL)
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  if (rollback_run != NULL)
    {
      FleetRollbackRequest request;
      g_autofree char *undone_dir = g_build_filename (runs_dir != NULL ? runs_dir : "fleet-runs",
                                                      rollback_run, NULL);

      /* Undoing hosts that the run may still change would leave them in
       * neither state. */
      if (fleet_run_journal_in_use (undone_dir))
        {
          g_printerr ("fleet-run: run %s is still going: another fleet-run holds its journal. "
                      "Stop it first (Ctrl-C in its terminal), then roll it back.\n",
                      undone_dir);
          return EXIT_BAD_INPUT;
        }

      run_id = make_run_id ();
      request = (FleetRollbackRequest) {
        .runs_dir = runs_dir != NULL ? runs_dir : "fleet-runs",
        .run_id = rollback_run,
        .rollback_run_id = run_id,
        .known_hosts_override = known_hosts,
        .secret_func = fleet_run_secrets_lookup,
        .secret_data = secrets,
        .interrupt_level = &interrupt_level,
        .retry_hosts = (const char * const *) retry_hosts,
        .skip_hosts = (const char * const *) skip_hosts,
        .plan_expired = trust->expired,
      };

      install_signal_handlers ();
      return fleet_run_control_rollback (plan, &request);
    }
  if (resume_run != NULL)
    {
      if (!fleet_run_resume_check_rollback (plan, run_dir, resume_after_rollback,
                                            &rolled_back_hosts, &error))
        {
          g_printerr ("fleet-run: cannot resume: %s\n", error->message);
          return EXIT_BAD_INPUT;
        }
      if (!fleet_run_resume_check_gate (run_dir, override_wave_gate, &overridden_stop, &error))
        {
          g_printerr ("fleet-run: cannot resume: %s\n", error->message);
          return EXIT_BAD_INPUT;
        }
      resume = fleet_resume_load (plan, run_dir, (const char * const *) retry_hosts,
                                  (const char * const *) skip_hosts, &error);
      if (resume == NULL)
        {
          g_printerr ("fleet-run: cannot resume: %s\n", error->message);
          return EXIT_BAD_INPUT;
        }
      resume->rolled_back_hosts = g_steal_pointer (&rolled_back_hosts);
      resume->overridden_stop = g_steal_pointer (&overridden_stop);
      for (guint i = 0; i < resume->warnings->len; i++)
        g_printerr ("fleet-run: warning: %s\n", (const char *) g_ptr_array_index (resume->warnings,
                                                                                   i));
      run_id = g_strdup (resume->run_id);
      g_print ("Resuming run %s in %s (resume %u)\n", run_id, run_dir, resume->resumes + 1);
      for (guint i = 0; i < resume->choices->len; i++)
        g_print ("%s\n", (const char *) g_ptr_array_index (resume->choices, i));
    }
  else
    {
      gboolean running = FALSE;
      g_autofree char *unfinished = fleet_run_find_unfinished (runs_dir != NULL ? runs_dir
                                                                                : "fleet-runs",
                                                               plan->file_sha256, &running);

      /* Two fleet-runs of one plan at once would run every step twice,
       * and --new-run does not change that. */
      if (unfinished != NULL && running)
        {
          g_printerr ("fleet-run: run %s of this plan is still going: another fleet-run holds "
                      "its journal. Starting the plan again now would run its steps twice at "
                      "the same time. Wait for that run to end, or stop it (Ctrl-C in its "
                      "terminal) and continue it later with:  fleet-run --resume %s\n",
                      unfinished, unfinished);
          return EXIT_BAD_INPUT;
        }

      /* A run that died may have run steps on some hosts: starting over
       * would run them twice, so the admin chooses. */
      if (unfinished != NULL && !new_run)
        {
          g_printerr ("fleet-run: run %s of this plan stopped without finishing: its journal "
                      "has no run-end record (fleet-run was killed or the machine went "
                      "down), so steps may have run on some hosts.\n"
                      "Continue it with:  fleet-run --resume %s\n"
                      "or start again from the first step on every host with --new-run.\n",
                      unfinished, unfinished);
          return EXIT_BAD_INPUT;
        }

      run_id = make_run_id ();
      run_dir = g_build_filename (runs_dir != NULL ? runs_dir : "fleet-runs", run_id, NULL);
      if (g_mkdir_with_parents (run_dir, 0750) != 0)
        {
          g_printerr ("fleet-run: cannot create run directory %s: %s\n", run_dir,
                      g_strerror (errno));
          return EXIT_BAD_INPUT;
        }
      if (!fleet_run_registry_add (plan->file_sha256, run_dir, &error))
        {
          g_printerr ("fleet-run: warning: %s; a later fleet-run of this plan from another "
                      "directory will not see this run\n", error->message);
          g_clear_error (&error);
        }
    }

  g_print ("Run %s: workflow \"%s\", %u host%s in %u wave%s, %u step%s, at most %u host%s at "
           "once\nPlan %s (sha256 %s)\n",
           run_id, plan->workflow_name, plan->hosts->len, fleet_plural_s (plan->hosts->len),
           plan->waves->len, fleet_plural_s (plan->waves->len), plan->steps->len,
           fleet_plural_s (plan->steps->len), plan->parallelism,
           fleet_plural_s (plan->parallelism), plan_path, plan->file_sha256);
  if (trust->approval != NULL)
    g_print ("Approved by %s (\"%s\")\n", trust->approval->fingerprint,
             trust->approval->comment);
  g_print ("\n");

  options.run_id = run_id;
  options.run_dir = run_dir;
  options.known_hosts_override = known_hosts;
  options.snapshot_store = snapshot_store;
  options.interrupt_level = &interrupt_level;
  options.secret_func = fleet_run_secrets_lookup;
  options.secret_data = secrets;
  options.approval = trust->approval;
  options.inventory_changes = trust->inventory_changes;
  options.resume = resume;
  absolute_plan_path = g_canonicalize_filename (plan_path, NULL);
  options.plan_path = absolute_plan_path;
  options.wait_for_window = wait_for_window;

  if (!progress_mode_valid (progress_mode))
    {
      g_printerr ("fleet-run: invalid --progress \"%s\"; use auto, live, plain or none\n",
                  progress_mode);
      return EXIT_BAD_INPUT;
    }
  if (progress_mode == NULL || !g_str_equal (progress_mode, "none"))
    {
      gboolean live = progress_mode != NULL ? g_str_equal (progress_mode, "live")
                                            : isatty (STDERR_FILENO);

      progress = fleet_run_progress_new (plan, stderr, live, fleet_clock_system ());
      options.observer = fleet_run_progress_observer (progress);
    }

  install_signal_handlers ();

  result = fleet_execute_plan (plan, &options, &error);
  if (result == NULL)
    {
      g_printerr ("fleet-run: %s\n", error->message);
      return EXIT_BAD_INPUT;
    }

  g_clear_pointer (&progress, fleet_run_progress_free);
  if (print_output)
    fleet_run_print_output (stdout, stderr, plan, result, run_dir);
  summary = fleet_report_format_summary (plan, result, run_dir);
  fputs (summary, stdout);
  snapshot_summary = fleet_snapshot_report_format_summary (result);
  fputs (snapshot_summary, stdout);
  print_snapshot_locations (plan, result, snapshot_store, run_dir, run_id);
  drift_summary = fleet_drift_report_format_summary (result);
  fputs (drift_summary, stdout);
  if (result->paused)
    {
      print_window_pause (result, run_dir);
    }
  else if ((rolled_back_note = fleet_run_rolled_back_note (result, run_dir, absolute_plan_path)) != NULL)
    {
      fputs (rolled_back_note, stdout);
    }
  else if (fleet_run_result_resumable (result))
    {
      g_autofree char *absolute_dir = g_canonicalize_filename (run_dir, NULL);
      g_autofree char *command = fleet_run_resume_command ((const char * const *) original_argv,
                                                           absolute_dir);
      g_autofree char *hint = fleet_run_resume_hint (plan, result, command);

      fputs (hint, stdout);
    }
  return fleet_run_result_exit_status (result);
}
