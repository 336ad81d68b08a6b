/* ansible-host-vars.c: Ansible variables to fleetc host settings and
 * attributes; the mapping is in ansible-host-vars.h. */
#include "compiler/ansible-host-vars.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/ansible-inventory.h"
#include "compiler/scalar.h"
#include "compiler/yaml-tree.h"

#define MAX_NAME_BYTES 253
#define MAX_CONNECT_TIMEOUT_S 3600

typedef enum {
  SETTING_ADDRESS,
  SETTING_PORT,
  SETTING_USER,
  SETTING_IDENTITY_FILE,
  SETTING_CONNECT_TIMEOUT,
  N_SETTINGS,
} Setting;

/* Variables that set a host setting; the names of one setting are listed
 * together. */
static const struct {
  const char *variable;
  Setting setting;
} setting_variables[] = {
  { "ansible_host", SETTING_ADDRESS },
  { "ansible_ssh_host", SETTING_ADDRESS },
  { "ansible_port", SETTING_PORT },
  { "ansible_ssh_port", SETTING_PORT },
  { "ansible_user", SETTING_USER },
  { "ansible_ssh_user", SETTING_USER },
  { "ansible_ssh_private_key_file", SETTING_IDENTITY_FILE },
  { "ansible_private_key_file", SETTING_IDENTITY_FILE },
  { "ansible_ssh_timeout", SETTING_CONNECT_TIMEOUT },
};

#define CONNECTION_VARIABLE "ansible_connection"

/* Values of ansible_connection that mean an SSH connection. */
static const char * const ssh_connections[] = {
  "ssh", "smart", "paramiko", "paramiko_ssh",
  "ansible.builtin.ssh", "ansible.builtin.paramiko_ssh", "ansible.legacy.ssh",
};

/* Secrets that fleetc must never copy into a plan. */
static const char * const password_variables[] = {
  "ansible_password", "ansible_ssh_pass", "ansible_ssh_password",
  "ansible_become_password", "ansible_become_pass", "ansible_sudo_pass",
  "ansible_sudo_password", "ansible_su_pass", "ansible_su_password",
  "ansible_ssh_private_key_passphrase",
};

#define BECOME_REASON "fleetc sets privilege escalation per step with become and become_user"
#define SSH_OPTIONS_REASON "fleetc passes no extra options to SSH, so proxies and ssh_config " \
                           "settings in them are not used"

/* Variables kept as attributes although Ansible would act on them. */
static const struct {
  const char *variable;
  const char *reason;
} not_applied_variables[] = {
  { "ansible_become", BECOME_REASON },
  { "ansible_become_user", BECOME_REASON },
  { "ansible_become_method", BECOME_REASON },
  { "ansible_become_exe", BECOME_REASON },
  { "ansible_become_flags", BECOME_REASON },
  { "ansible_sudo", BECOME_REASON },
  { "ansible_sudo_user", BECOME_REASON },
  { "ansible_ssh_common_args", SSH_OPTIONS_REASON },
  { "ansible_ssh_extra_args", SSH_OPTIONS_REASON },
  { "ansible_ssh_args", SSH_OPTIONS_REASON },
  { "ansible_ssh_executable", SSH_OPTIONS_REASON },
  { "ansible_host_key_checking", "fleetc always checks host keys against known_hosts" },
  { "ansible_ssh_host_key_checking", "fleetc always checks host keys against known_hosts" },
};

struct FleetAnsibleVarsContext {
  char *base_dir;
  GHashTable *warned;          /* variable names warned about */
  GHashTable *reported;        /* FleetAnsibleValue * reported as invalid */
};

/* The value chosen for one setting, and the variable it came from. */
typedef struct {
  const char *variable;
  const FleetAnsibleValue *value;
} Choice;

FleetAnsibleVarsContext *
fleet_ansible_vars_context_new (const char *base_dir)
{
  FleetAnsibleVarsContext *context = g_new0 (FleetAnsibleVarsContext, 1);

  context->base_dir = g_strdup (base_dir);
  context->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  context->reported = g_hash_table_new (g_direct_hash, g_direct_equal);
  return context;
}

void
fleet_ansible_vars_context_free (FleetAnsibleVarsContext *context)
{
  if (context == NULL)
    return;

  g_free (context->base_dir);
  g_hash_table_unref (context->warned);
  g_hash_table_unref (context->reported);
  g_free (context);
}

static int
find_setting (const char *variable)
{
  for (gsize i = 0; i < G_N_ELEMENTS (setting_variables); i++)
    if (strcmp (setting_variables[i].variable, variable) == 0)
      return (int) setting_variables[i].setting;

  return -1;
}

static gboolean
in_list (const char * const *list, gsize length, const char *word)
{
  for (gsize i = 0; i < length; i++)
    if (strcmp (list[i], word) == 0)
      return TRUE;

  return FALSE;
}

static const char *
find_not_applied_reason (const char *variable)
{
  for (gsize i = 0; i < G_N_ELEMENTS (not_applied_variables); i++)
    if (strcmp (not_applied_variables[i].variable, variable) == 0)
      return not_applied_variables[i].reason;

  return NULL;
}

/* Return TRUE the first time `value` is reported in this source. */
static gboolean
first_report (FleetAnsibleVarsContext *context, const FleetAnsibleValue *value)
{
  return g_hash_table_add (context->reported, (gpointer) value);
}

static gboolean
first_warning (FleetAnsibleVarsContext *context, const char *variable)
{
  return g_hash_table_add (context->warned, g_strdup (variable));
}

static void G_GNUC_PRINTF (5, 6)
report_invalid (FleetDiagnostics *diags,
                FleetAnsibleVarsContext *context,
                const char *variable,
                const FleetAnsibleValue *value,
                const char *format,
                ...)
{
  va_list args;
  g_autofree char *problem = NULL;
  g_autofree char *quoted = NULL;

  if (!first_report (context, value))
    return;

  va_start (args, format);
  problem = g_strdup_vprintf (format, args);
  va_end (args);

  quoted = fleet_quote_value (value->text, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (diags, &value->pos, "invalid value %s for \"%s\": %s", quoted, variable,
                           problem);
}

static gboolean
check_name_value (FleetDiagnostics *diags,
                  FleetAnsibleVarsContext *context,
                  const Choice *choice)
{
  const char *text = choice->value->text;
  const char *problem = NULL;

  if (text[0] == '\0')
    problem = "it is empty";
  else if (strlen (text) > MAX_NAME_BYTES)
    problem = "it is longer than 253 bytes";
  else
    problem = fleet_name_problem (text);

  if (problem == NULL)
    return TRUE;

  report_invalid (diags, context, choice->variable, choice->value, "%s", problem);
  return FALSE;
}

/* Parse `text` as decimal digits within [1, max]. */
static gboolean
parse_bounded (const char *text, guint64 max, guint64 *out)
{
  guint64 value = 0;

  if (text[0] == '\0' || strlen (text) > 19)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }

  if (value < 1 || value > max)
    return FALSE;

  *out = value;
  return TRUE;
}

static char *
resolve_path (const char *value, const char *base_dir)
{
  if (g_str_has_prefix (value, "~/"))
    return g_strdup (value);

  return g_canonicalize_filename (value, base_dir);
}

static void
apply_setting (FleetDiagnostics *diags,
               FleetAnsibleVarsContext *context,
               Setting setting,
               const Choice *choice,
               FleetHost *host)
{
  const char *text = choice->value->text;
  guint64 number;

  switch (setting)
    {
    case SETTING_ADDRESS:
      if (check_name_value (diags, context, choice))
        host->address = g_strdup (text);
      break;
    case SETTING_USER:
      if (check_name_value (diags, context, choice))
        host->user = g_strdup (text);
      break;
    case SETTING_PORT:
      if (parse_bounded (text, 65535, &number))
        host->port = (guint16) number;
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected a port number from 1 to 65535");
      break;
    case SETTING_CONNECT_TIMEOUT:
      if (parse_bounded (text, MAX_CONNECT_TIMEOUT_S, &number))
        host->connect_timeout_ms = (guint32) (number * 1000);
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected whole seconds from 1 to %u", MAX_CONNECT_TIMEOUT_S);
      break;
    case SETTING_IDENTITY_FILE:
      if (text[0] != '\0')
        {
          g_autofree char *path = resolve_path (text, context->base_dir);
          fleet_host_set_identity_file (host, path);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value, "it is empty");
      break;
    case N_SETTINGS:
    default:
      g_return_if_reached ();
    }
}

/* Check the form every setting value needs, then apply it. */
static void
apply_choice (FleetDiagnostics *diags,
              FleetAnsibleVarsContext *context,
              Setting setting,
              const Choice *choice,
              FleetHost *host)
{
  const char *text = choice->value->text;

  if (choice->value->structured)
    report_invalid (diags, context, choice->variable, choice->value,
                    "expected a single value, found a list or mapping");
  else if (strstr (text, "{{") != NULL || strstr (text, "{%") != NULL)
    report_invalid (diags, context, choice->variable, choice->value,
                    "it is a Jinja2 template, which fleetc does not evaluate; write the value "
                    "itself");
  else
    apply_setting (diags, context, setting, choice, host);
}

/* Record `value` of `variable` as the choice for its setting, reporting two
 * names of one setting with different values. */
static void
choose (FleetDiagnostics *diags,
        FleetAnsibleVarsContext *context,
        Choice *choice,
        const char *variable,
        const FleetAnsibleValue *value,
        const char *host_name)
{
  const FleetAnsibleValue *earlier = choice->value;

  if (value->text == NULL)
    return;

  if (earlier == NULL)
    {
      choice->variable = variable;
      choice->value = value;
      return;
    }

  if (strcmp (earlier->text, value->text) == 0 || !first_report (context, value))
    return;

  {
    g_autofree char *quoted_earlier = fleet_quote_value (earlier->text, FLEET_QUOTE_MAX_CHARS);
    g_autofree char *quoted = fleet_quote_value (value->text, FLEET_QUOTE_MAX_CHARS);

    fleet_diagnostics_error (diags, &value->pos,
                             "\"%s\" and \"%s\" give host \"%s\" different values: %s at %s:%u:%u "
                             "and %s here; remove one of them",
                             choice->variable, variable, host_name, quoted_earlier,
                             earlier->pos.file, earlier->pos.line, earlier->pos.column, quoted);
  }
}

static void
check_connection (FleetDiagnostics *diags,
                  FleetAnsibleVarsContext *context,
                  const FleetAnsibleValue *value,
                  const char *host_name)
{
  g_autofree char *quoted = NULL;

  if (value->text == NULL
      || (!value->structured && in_list (ssh_connections, G_N_ELEMENTS (ssh_connections), value->text))
      || !first_report (context, value))
    return;

  quoted = fleet_quote_value (value->text, FLEET_QUOTE_MAX_CHARS);
  fleet_diagnostics_error (diags, &value->pos,
                           "unsupported %s %s for host \"%s\": fleetc connects over SSH only; "
                           "remove the host from this inventory or set %s to ssh",
                           CONNECTION_VARIABLE, quoted, host_name, CONNECTION_VARIABLE);
}

/* Handle a variable that is not a setting. */
static void
apply_other (FleetDiagnostics *diags,
             FleetAnsibleVarsContext *context,
             const char *variable,
             const FleetAnsibleValue *value,
             FleetHost *host)
{
  const char *reason;

  if (strcmp (variable, CONNECTION_VARIABLE) == 0)
    {
      check_connection (diags, context, value, host->name);
      return;
    }

  if (in_list (password_variables, G_N_ELEMENTS (password_variables), variable))
    {
      if (first_warning (context, variable))
        fleet_diagnostics_warning (diags, &value->name_pos,
                                   "variable \"%s\" is ignored and not stored: fleetc "
                                   "authenticates with ssh-agent or an identity file only",
                                   variable);
      return;
    }

  reason = find_not_applied_reason (variable);
  if (reason != NULL && first_warning (context, variable))
    fleet_diagnostics_warning (diags, &value->name_pos,
                               "variable \"%s\" is kept as an attribute but not applied: %s",
                               variable, reason);

  if (value->text != NULL)
    g_hash_table_replace (host->attributes, g_strdup (variable), g_strdup (value->text));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
fleet_ansible_apply_vars (FleetDiagnostics *diags,
                          FleetAnsibleVarsContext *context,
                          GHashTable *vars,
                          FleetHost *host)
{
  guint n_names = 0;
  g_autofree const char **names = (const char **) g_hash_table_get_keys_as_array (vars, &n_names);
  Choice choices[N_SETTINGS] = { { 0 } };

  /* Sorted, so that messages come in the same order on every run. */
  qsort (names, n_names, sizeof (char *), compare_names);
  for (guint i = 0; i < n_names; i++)
    {
      const FleetAnsibleValue *value = g_hash_table_lookup (vars, names[i]);
      int setting = find_setting (names[i]);

      if (setting >= 0)
        choose (diags, context, &choices[setting], names[i], value, host->name);
      else
        apply_other (diags, context, names[i], value, host);
    }

  for (int setting = 0; setting < N_SETTINGS; setting++)
    if (choices[setting].value != NULL)
      apply_choice (diags, context, (Setting) setting, &choices[setting], host);

  if (host->address == NULL)
    host->address = g_strdup (host->name);
}
