/* fleet-step-kind.h: what a step does besides running a shell command.
 *
 * A step is a shell command (`run`) unless it carries a FleetStepKindData,
 * which names its kind and contains everything fleet-run needs
 * for it: the bytes of scripts and files with their SHA-256 digests, the
 * per-host renderings of templates, destinations, deadlines and argv.  The
 * compiler fills it, the planner renders templates into it, and the plan
 * stores it under optional keys of each step (fleet_step_kind_to_variant).
 *
 * Every string, table and GBytes is owned by the record and released by
 * fleet_step_kind_data_free().  Errors of fleet_step_kind_from_variant are
 * FLEET_PLAN_ERROR_INVALID.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FLEET_STEP_KIND_SHELL,     /* `run`: a shell command; has no kind data */
  FLEET_STEP_KIND_SCRIPT,    /* a local file sent over the channel's stdin to an interpreter */
  FLEET_STEP_KIND_COPY,      /* a local file written to the host */
  FLEET_STEP_KIND_TEMPLATE,  /* a local file rendered per host, then copied */
  FLEET_STEP_KIND_REBOOT,    /* reboot, then wait until the host is back with a new boot id */
  FLEET_STEP_KIND_WAIT_FOR,  /* poll a port, a file or a command on the host until it succeeds */
  FLEET_STEP_KIND_LOCAL,     /* an argv run on the controller */
} FleetStepKind;

/* Unset file mode of a copy: a new file gets 0644, an existing one keeps its mode. */
#define FLEET_COPY_MODE_UNSET G_MAXUINT32

#define FLEET_DEFAULT_SCRIPT_INTERPRETER "/bin/sh -s"
#define FLEET_DEFAULT_REBOOT_COMMAND "shutdown -r now"
#define FLEET_DEFAULT_BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"
#define FLEET_DEFAULT_REBOOT_DEADLINE_MS (10u * 60 * 1000)
#define FLEET_DEFAULT_WAIT_DEADLINE_MS (5u * 60 * 1000)
#define FLEET_DEFAULT_WAIT_INTERVAL_MS 1000u
#define FLEET_DEFAULT_WAIT_HOST "127.0.0.1"

typedef struct {
  FleetStepKind kind;
  char *source;              /* script, copy, template: the local file as named */
  GBytes *content;           /* script, copy: the file's bytes; template: the template text */
  char *content_sha256;      /* hex SHA-256 of `content` */
  GHashTable *host_contents; /* template and local, plan only: char * host name ->
                                GBytes *, the rendered file, or the rendered argv with
                                a NUL byte after each argument; NULL in the IR */
  char *interpreter;         /* script: remote command line that reads the script on stdin */
  char *dest;                /* copy, template: absolute remote path */
  guint32 mode;              /* copy, template: permission bits, or FLEET_COPY_MODE_UNSET */
  char *owner;               /* copy, template: user name, or NULL to leave it */
  char *group;               /* copy, template: group name, or NULL to leave it */
  char *command;             /* reboot: the command that reboots; wait_for: the command
                                polled; else NULL */
  char *boot_id_file;        /* reboot: the file whose content changes at every boot */
  guint64 deadline_ms;       /* reboot, wait_for: maximum wait for the host */
  guint64 interval_ms;       /* wait_for: time between two checks */
  char *wait_host;           /* wait_for port: address the host connects to */
  guint16 wait_port;         /* wait_for: TCP port, 0 when the check is a file or command */
  char *wait_path;           /* wait_for: file that must exist, or NULL */
  GPtrArray *argv;           /* local: char *, the program and its arguments as written */
} FleetStepKindData;

FleetStepKindData *fleet_step_kind_data_new (FleetStepKind kind);
FleetStepKindData *fleet_step_kind_data_copy (const FleetStepKindData *data);
void fleet_step_kind_data_free (FleetStepKindData *data);

/* Return the workflow key of `kind` ("run", "script", "copy", ...). */
const char *fleet_step_kind_name (FleetStepKind kind);
gboolean fleet_step_kind_from_name (const char *name, FleetStepKind *out_kind);

/* Return the hex SHA-256 of `bytes`; free with g_free. */
char *fleet_sha256_hex (GBytes *bytes);

/* Return the file `data` writes on the host called `host_name`: its
 * rendering for a template, else `content`; borrowed, NULL for kinds that
 * write no file. */
GBytes *fleet_step_kind_content_for_host (const FleetStepKindData *data, const char *host_name);

/* Add the plan keys of `data` to `builder`, a vardict builder of one step;
 * nothing for NULL (a shell step). */
void fleet_step_kind_to_variant (GVariantBuilder *builder, const FleetStepKindData *data);

/* Read the kind keys of the step dictionary `dict`.  Sets `out` to NULL
 * for a shell step.  Rejects unknown kinds, missing keys and content whose
 * digest does not match. */
gboolean fleet_step_kind_from_variant (GVariant *dict, const char *step_name,
                                       FleetStepKindData **out, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FleetStepKindData, fleet_step_kind_data_free)

G_END_DECLS
