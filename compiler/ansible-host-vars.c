/* ansible-host-vars.c: Ansible variables to fleetc host settings and
 * attributes; the mapping is in ansible-host-vars.h. */
#include "compiler/ansible-host-vars.h"

#include <stdlib.h>
#include <string.h>

#include "compiler/ansible-inventory.h"
#include "compiler/ansible-ssh-args.h"
#include "compiler/proxy-jump.h"
#include "compiler/scalar.h"
#include "compiler/suggest.h"
#include "compiler/yaml-tree.h"
#include "schema/fleet-secret-store.h"
#include "schema/fleet-suggest.h"

#define MAX_NAME_BYTES 253
#define MAX_CONNECT_TIMEOUT_S 3600
#define MAX_KEEPALIVE_INTERVAL_MS (24u * 3600 * 1000)
#define MAX_KEEPALIVE_COUNT 1000
#define MAX_SESSIONS 1000

/* Variables with this prefix are fleetc's own; every one must be known. */
#define FLEETC_PREFIX "fleetc_"

typedef enum {
  SETTING_ADDRESS,
  SETTING_PORT,
  SETTING_USER,
  SETTING_IDENTITY_FILE,
  SETTING_CONNECT_TIMEOUT,
  SETTING_IDENTITIES_ONLY,
  SETTING_KNOWN_HOSTS_FILE,
  SETTING_HOST_KEY_POLICY,
  SETTING_HASH_KNOWN_HOSTS,
  SETTING_PROXY_JUMP,
  SETTING_KEEPALIVE_INTERVAL,
  SETTING_KEEPALIVE_COUNT_MAX,
  SETTING_MAX_SESSIONS,
  SETTING_KEY_PASSPHRASE_SECRET,
  SETTING_BECOME_PASSWORD_SECRET,
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
  { "fleetc_identities_only", SETTING_IDENTITIES_ONLY },
  { "fleetc_known_hosts_file", SETTING_KNOWN_HOSTS_FILE },
  { "fleetc_host_key_policy", SETTING_HOST_KEY_POLICY },
  { "fleetc_hash_known_hosts", SETTING_HASH_KNOWN_HOSTS },
  { "fleetc_proxy_jump", SETTING_PROXY_JUMP },
  { "fleetc_keepalive_interval", SETTING_KEEPALIVE_INTERVAL },
  { "fleetc_keepalive_count_max", SETTING_KEEPALIVE_COUNT_MAX },
  { "fleetc_max_sessions", SETTING_MAX_SESSIONS },
  { "fleetc_key_passphrase_secret", SETTING_KEY_PASSPHRASE_SECRET },
  { "fleetc_become_password_secret", SETTING_BECOME_PASSWORD_SECRET },
};

/* The FleetHostSettings field each Setting writes. */
static const FleetSetting fleet_settings[N_SETTINGS] = {
  [SETTING_ADDRESS] = FLEET_SETTING_ADDRESS,
  [SETTING_PORT] = FLEET_SETTING_PORT,
  [SETTING_USER] = FLEET_SETTING_USER,
  [SETTING_IDENTITY_FILE] = FLEET_SETTING_IDENTITY_FILES,
  [SETTING_CONNECT_TIMEOUT] = FLEET_SETTING_CONNECT_TIMEOUT,
  [SETTING_IDENTITIES_ONLY] = FLEET_SETTING_IDENTITIES_ONLY,
  [SETTING_KNOWN_HOSTS_FILE] = FLEET_SETTING_KNOWN_HOSTS_FILES,
  [SETTING_HOST_KEY_POLICY] = FLEET_SETTING_HOST_KEY_POLICY,
  [SETTING_HASH_KNOWN_HOSTS] = FLEET_SETTING_HASH_KNOWN_HOSTS,
  [SETTING_PROXY_JUMP] = FLEET_SETTING_PROXY_JUMP,
  [SETTING_KEEPALIVE_INTERVAL] = FLEET_SETTING_KEEPALIVE_INTERVAL,
  [SETTING_KEEPALIVE_COUNT_MAX] = FLEET_SETTING_KEEPALIVE_COUNT_MAX,
  [SETTING_MAX_SESSIONS] = FLEET_SETTING_MAX_SESSIONS,
  [SETTING_KEY_PASSPHRASE_SECRET] = FLEET_SETTING_KEY_PASSPHRASE_SECRET,
  [SETTING_BECOME_PASSWORD_SECRET] = FLEET_SETTING_BECOME_PASSWORD_SECRET,
};

/* Names of fleetc settings in its own inventory format, and the Ansible
 * variable that sets each.  A variable with the bare name is only an
 * attribute, which is easy to miss, so it gets a warning. */
static const struct {
  const char *name;
  const char *variable;
} setting_names[] = {
  { "address", "ansible_host" },
  { "port", "ansible_port" },
  { "user", "ansible_user" },
  { "identity_file", "ansible_ssh_private_key_file" },
  { "connect_timeout", "ansible_ssh_timeout" },
  { "identities_only", "fleetc_identities_only" },
  { "known_hosts_file", "fleetc_known_hosts_file" },
  { "host_key_policy", "fleetc_host_key_policy" },
  { "hash_known_hosts", "fleetc_hash_known_hosts" },
  { "proxy_jump", "fleetc_proxy_jump" },
  { "keepalive_interval", "fleetc_keepalive_interval" },
  { "keepalive_count_max", "fleetc_keepalive_count_max" },
  { "max_sessions", "fleetc_max_sessions" },
  { "key_passphrase_secret", "fleetc_key_passphrase_secret" },
  { "become_password_secret", "fleetc_become_password_secret" },
};

/* SSH argument variables whose proxy options fleetc applies
 * (ansible-ssh-args.h), in the order ssh would read them. */
static const char * const ssh_args_variables[] = {
  "ansible_ssh_common_args", "ansible_ssh_extra_args",
};

#define CONNECTION_VARIABLE "ansible_connection"

/* Values of ansible_connection that mean an SSH connection. */
static const char * const ssh_connections[] = {
  "ssh", "smart", "paramiko", "paramiko_ssh",
  "ansible.builtin.ssh", "ansible.builtin.paramiko_ssh", "ansible.legacy.ssh",
};

#define LOGIN_PASSWORD_ADVICE "fleetc authenticates with ssh-agent or an identity file only"
#define BECOME_PASSWORD_ADVICE "fleetc reads the sudo password from its secret store; name " \
                               "the secret with fleetc_become_password_secret"
#define KEY_PASSPHRASE_ADVICE "fleetc reads key passphrases from its secret store; name the " \
                              "secret with fleetc_key_passphrase_secret"

/* Secrets that fleetc must never copy into a plan, and what to do instead. */
static const struct {
  const char *variable;
  const char *advice;
} password_variables[] = {
  { "ansible_password", LOGIN_PASSWORD_ADVICE },
  { "ansible_ssh_pass", LOGIN_PASSWORD_ADVICE },
  { "ansible_ssh_password", LOGIN_PASSWORD_ADVICE },
  { "ansible_become_password", BECOME_PASSWORD_ADVICE },
  { "ansible_become_pass", BECOME_PASSWORD_ADVICE },
  { "ansible_sudo_pass", BECOME_PASSWORD_ADVICE },
  { "ansible_sudo_password", BECOME_PASSWORD_ADVICE },
  { "ansible_su_pass", LOGIN_PASSWORD_ADVICE },
  { "ansible_su_password", LOGIN_PASSWORD_ADVICE },
  { "ansible_ssh_private_key_passphrase", KEY_PASSPHRASE_ADVICE },
};

#define BECOME_REASON "fleetc sets privilege escalation per step with become and become_user"
#define SSH_OPTIONS_REASON "fleetc passes no extra options to SSH, so ssh_config settings in " \
                           "them are not used"

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
set_string (FleetHostSettings *settings, Setting setting, char **field, const char *text,
            const Choice *choice)
{
  g_free (*field);
  *field = g_strdup (text);
  fleet_host_settings_mark (settings, fleet_settings[setting], &choice->value->pos);
}

static void
set_path (FleetHostSettings *settings, Setting setting, GPtrArray **field, const char *path,
          const Choice *choice)
{
  g_clear_pointer (field, g_ptr_array_unref);
  *field = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (*field, g_strdup (path));
  fleet_host_settings_mark (settings, fleet_settings[setting], &choice->value->pos);
}

/* Read an Ansible boolean: true/false, yes/no, on/off, 1/0, in any case. */
static gboolean
parse_boolean (const char *text, gboolean *out)
{
  static const char * const true_words[] = { "true", "yes", "on", "1" };
  static const char * const false_words[] = { "false", "no", "off", "0" };

  for (gsize i = 0; i < G_N_ELEMENTS (true_words); i++)
    {
      if (g_ascii_strcasecmp (text, true_words[i]) == 0)
        {
          *out = TRUE;
          return TRUE;
        }
      if (g_ascii_strcasecmp (text, false_words[i]) == 0)
        {
          *out = FALSE;
          return TRUE;
        }
    }

  return FALSE;
}

static void
apply_secret_name (FleetDiagnostics *diags,
                   FleetAnsibleVarsContext *context,
                   Setting setting,
                   char **field,
                   const Choice *choice,
                   FleetHostSettings *settings)
{
  g_autoptr (GError) error = NULL;

  if (fleet_secret_name_validate (choice->value->text, &error))
    set_string (settings, setting, field, choice->value->text, choice);
  else
    report_invalid (diags, context, choice->variable, choice->value, "%s", error->message);
}

static void
apply_proxy_jump (FleetDiagnostics *diags,
                  FleetAnsibleVarsContext *context,
                  const Choice *choice,
                  FleetHostSettings *settings)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) hops = fleet_proxy_jump_parse (choice->value->text, &error);

  if (hops != NULL)
    set_string (settings, SETTING_PROXY_JUMP, &settings->proxy_jump, choice->value->text, choice);
  else
    report_invalid (diags, context, choice->variable, choice->value, "%s", error->message);
}

/* Apply the settings that only fleetc_ variables set. */
static void
apply_fleetc_setting (FleetDiagnostics *diags,
                      FleetAnsibleVarsContext *context,
                      Setting setting,
                      const Choice *choice,
                      FleetHostSettings *settings)
{
  const char *text = choice->value->text;
  guint64 number;

  switch (setting)
    {
    case SETTING_IDENTITIES_ONLY:
      if (parse_boolean (text, &settings->identities_only))
        fleet_host_settings_mark (settings, FLEET_SETTING_IDENTITIES_ONLY, &choice->value->pos);
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected true or false");
      break;
    case SETTING_HASH_KNOWN_HOSTS:
      if (parse_boolean (text, &settings->hash_known_hosts))
        fleet_host_settings_mark (settings, FLEET_SETTING_HASH_KNOWN_HOSTS, &choice->value->pos);
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected true or false");
      break;
    case SETTING_KNOWN_HOSTS_FILE:
      if (text[0] != '\0')
        {
          g_autofree char *path = resolve_path (text, context->base_dir);
          set_path (settings, setting, &settings->known_hosts_files, path, choice);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value, "it is empty");
      break;
    case SETTING_HOST_KEY_POLICY:
      if (fleet_host_key_policy_from_string (text, &settings->host_key_policy))
        fleet_host_settings_mark (settings, FLEET_SETTING_HOST_KEY_POLICY, &choice->value->pos);
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "use strict or accept-new; fleetc never turns host key checking off");
      break;
    case SETTING_PROXY_JUMP:
      apply_proxy_jump (diags, context, choice, settings);
      break;
    case SETTING_KEEPALIVE_INTERVAL:
      if (fleet_parse_duration (text, &number) && number <= MAX_KEEPALIVE_INTERVAL_MS)
        {
          settings->keepalive_interval_ms = (guint32) number;
          fleet_host_settings_mark (settings, FLEET_SETTING_KEEPALIVE_INTERVAL,
                                    &choice->value->pos);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected a duration from 0 to 1d, such as 15s");
      break;
    case SETTING_KEEPALIVE_COUNT_MAX:
      if (parse_bounded (text, MAX_KEEPALIVE_COUNT, &number))
        {
          settings->keepalive_count_max = (guint32) number;
          fleet_host_settings_mark (settings, FLEET_SETTING_KEEPALIVE_COUNT_MAX,
                                    &choice->value->pos);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected a whole number from 1 to %u", MAX_KEEPALIVE_COUNT);
      break;
    case SETTING_MAX_SESSIONS:
      if (parse_bounded (text, MAX_SESSIONS, &number))
        {
          settings->max_sessions = (guint32) number;
          fleet_host_settings_mark (settings, FLEET_SETTING_MAX_SESSIONS, &choice->value->pos);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected a whole number from 1 to %u", MAX_SESSIONS);
      break;
    case SETTING_KEY_PASSPHRASE_SECRET:
      apply_secret_name (diags, context, setting, &settings->key_passphrase_secret, choice,
                         settings);
      break;
    case SETTING_BECOME_PASSWORD_SECRET:
      apply_secret_name (diags, context, setting, &settings->become_password_secret, choice,
                         settings);
      break;
    default:
      g_return_if_reached ();
    }
}

static void
apply_setting (FleetDiagnostics *diags,
               FleetAnsibleVarsContext *context,
               Setting setting,
               const Choice *choice,
               FleetHostSettings *settings)
{
  const char *text = choice->value->text;
  guint64 number;

  switch (setting)
    {
    case SETTING_ADDRESS:
      if (check_name_value (diags, context, choice))
        set_string (settings, setting, &settings->address, text, choice);
      break;
    case SETTING_USER:
      if (check_name_value (diags, context, choice))
        set_string (settings, setting, &settings->user, text, choice);
      break;
    case SETTING_PORT:
      if (parse_bounded (text, 65535, &number))
        {
          settings->port = (guint16) number;
          fleet_host_settings_mark (settings, FLEET_SETTING_PORT, &choice->value->pos);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected a port number from 1 to 65535");
      break;
    case SETTING_CONNECT_TIMEOUT:
      if (parse_bounded (text, MAX_CONNECT_TIMEOUT_S, &number))
        {
          settings->connect_timeout_ms = (guint32) (number * 1000);
          fleet_host_settings_mark (settings, FLEET_SETTING_CONNECT_TIMEOUT, &choice->value->pos);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value,
                        "expected whole seconds from 1 to %u", MAX_CONNECT_TIMEOUT_S);
      break;
    case SETTING_IDENTITY_FILE:
      if (text[0] != '\0')
        {
          g_autofree char *path = resolve_path (text, context->base_dir);
          set_path (settings, setting, &settings->identity_files, path, choice);
        }
      else
        report_invalid (diags, context, choice->variable, choice->value, "it is empty");
      break;
    case N_SETTINGS:
      g_return_if_reached ();
    default:
      apply_fleetc_setting (diags, context, setting, choice, settings);
      break;
    }
}

/* Check the form every setting value needs, then apply it. */
static void
apply_choice (FleetDiagnostics *diags,
              FleetAnsibleVarsContext *context,
              Setting setting,
              const Choice *choice,
              FleetHostSettings *settings)
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
    apply_setting (diags, context, setting, choice, settings);
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

static const char *
find_password_advice (const char *variable)
{
  for (gsize i = 0; i < G_N_ELEMENTS (password_variables); i++)
    if (strcmp (password_variables[i].variable, variable) == 0)
      return password_variables[i].advice;

  return NULL;
}

static const char *
find_setting_variable (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (setting_names); i++)
    if (strcmp (setting_names[i].name, name) == 0)
      return setting_names[i].variable;

  return NULL;
}

/* Report a fleetc_ variable that sets nothing, with the closest known name. */
static void
report_unknown_fleetc_variable (FleetDiagnostics *diags,
                                FleetAnsibleVarsContext *context,
                                const char *variable,
                                const FleetAnsibleValue *value)
{
  g_autoptr (GPtrArray) known = g_ptr_array_new ();
  g_autofree char *listed = NULL;
  const char *suggestion;

  if (!first_warning (context, variable))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (setting_variables); i++)
    if (g_str_has_prefix (setting_variables[i].variable, FLEETC_PREFIX))
      g_ptr_array_add (known, (gpointer) setting_variables[i].variable);

  suggestion = fleet_suggest_name (variable, (const char * const *) known->pdata, known->len);
  listed = fleet_join_names ((const char * const *) known->pdata, known->len, known->len);
  if (suggestion != NULL)
    fleet_diagnostics_error (diags, &value->name_pos,
                             "unknown fleetc variable \"%s\"; did you mean \"%s\"?", variable,
                             suggestion);
  else
    fleet_diagnostics_error (diags, &value->name_pos,
                             "unknown fleetc variable \"%s\"; the fleetc_ variables are: %s",
                             variable, listed);
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
  const char *advice;
  const char *setting_variable;

  if (strcmp (variable, CONNECTION_VARIABLE) == 0)
    {
      check_connection (diags, context, value, host->name);
      return;
    }

  if (g_str_has_prefix (variable, FLEETC_PREFIX))
    {
      report_unknown_fleetc_variable (diags, context, variable, value);
      return;
    }

  advice = find_password_advice (variable);
  if (advice != NULL)
    {
      if (first_warning (context, variable))
        fleet_diagnostics_warning (diags, &value->name_pos,
                                   "variable \"%s\" is ignored and not stored: %s", variable,
                                   advice);
      return;
    }

  reason = find_not_applied_reason (variable);
  if (reason != NULL && first_warning (context, variable))
    fleet_diagnostics_warning (diags, &value->name_pos,
                               "variable \"%s\" is kept as an attribute but not applied: %s",
                               variable, reason);

  setting_variable = find_setting_variable (variable);
  if (setting_variable != NULL && first_warning (context, variable))
    fleet_diagnostics_warning (diags, &value->name_pos,
                               "variable \"%s\" is only an attribute, not fleetc's %s setting; "
                               "name it %s to set the setting", variable, variable,
                               setting_variable);

  if (value->text != NULL)
    g_hash_table_replace (host->attributes, g_strdup (variable), g_strdup (value->text));
}

/* Apply the proxy options of the SSH argument variables to `settings`,
 * unless fleetc_proxy_jump gave the jump list.  A proxy in the arguments
 * that differs from fleetc_proxy_jump is an error, because ssh would go
 * one way and fleetc another. */
static void
apply_ssh_args (FleetDiagnostics *diags,
                FleetAnsibleVarsContext *context,
                GHashTable *vars,
                const Choice *proxy_choice,
                FleetHostSettings *settings)
{
  for (gsize i = 0; i < G_N_ELEMENTS (ssh_args_variables); i++)
    {
      const char *variable = ssh_args_variables[i];
      const FleetAnsibleValue *value = g_hash_table_lookup (vars, variable);
      g_autoptr (GError) error = NULL;
      FleetSshArgs args = { 0 };
      Choice choice = { variable, value };

      if (value == NULL || value->text == NULL)
        continue;

      if (value->structured)
        {
          report_invalid (diags, context, variable, value,
                          "expected a single string of ssh options, found a list or mapping");
          continue;
        }

      if (!fleet_ssh_args_scan (value->text, &args, &error))
        report_invalid (diags, context, variable, value, "%s", error->message);
      else if (args.other_options && first_warning (context, variable))
        fleet_diagnostics_warning (diags, &value->name_pos,
                                   "variable \"%s\" is kept as an attribute, and only its "
                                   "ProxyJump (-J) and ProxyCommand none options are applied: "
                                   "fleetc passes no other options to SSH", variable);

      if (args.proxy_jump == NULL)
        ;
      else if (proxy_choice->value != NULL)
        {
          if (strcmp (proxy_choice->value->text, args.proxy_jump) != 0)
            report_invalid (diags, context, variable, value,
                            "its jump host \"%s\" differs from %s \"%s\"; remove one of them",
                            args.proxy_jump, proxy_choice->variable, proxy_choice->value->text);
        }
      else if (!fleet_host_settings_has (settings, FLEET_SETTING_PROXY_JUMP))
        {
          g_autoptr (GPtrArray) hops = fleet_proxy_jump_parse (args.proxy_jump, &error);

          if (hops != NULL)
            set_string (settings, SETTING_PROXY_JUMP, &settings->proxy_jump, args.proxy_jump,
                        &choice);
          else
            report_invalid (diags, context, variable, value, "%s", error->message);
        }

      fleet_ssh_args_clear (&args);
    }
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
                          FleetHost *host,
                          FleetHostSettings *settings)
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
      apply_choice (diags, context, (Setting) setting, &choices[setting], settings);

  apply_ssh_args (diags, context, vars, &choices[SETTING_PROXY_JUMP], settings);
}
