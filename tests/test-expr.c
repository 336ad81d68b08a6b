/* test-expr.c: the expression language of host selectors and step
 * conditions (schema/fleet-expr.h), and its documentation. */
#include <math.h>
#include <string.h>

#include "schema/fleet-expr.h"
#include "schema/fleet-expr-private.h"

#define S(text) { .type = FLEET_VALUE_STRING, .string = (text) }
#define N(x) { .type = FLEET_VALUE_NUMBER, .number = (x) }
#define B(x) { .type = FLEET_VALUE_BOOLEAN, .boolean = (x) }
#define L(items) { .type = FLEET_VALUE_LIST, .list = { (items), G_N_ELEMENTS (items) } }
#define EMPTY_LIST { .type = FLEET_VALUE_LIST, .list = { NULL, 0 } }

typedef struct {
  const char *name;
  FleetValue value;
} Attribute;

typedef struct {
  const Attribute *attributes;
  gsize n_attributes;
  guint n_lookups;
} Host;

static const FleetValue web_groups[] = { S ("web"), S ("frontend") };
static const FleetValue web_ports[] = { N (22), N (443) };
static const FleetValue mixed_items[] = { S ("a"), N (1) };
static const FleetValue nested_items[] = { S ("a"), L (web_groups) };

/* The attributes of one web server, with values of every type.  Inventory
 * attributes are strings, so numbers and booleans appear both as text and as
 * typed values (the way facts and step results arrive). */
static const Attribute web07_attributes[] = {
  { "name", S ("web07") },
  { "dc", S ("dc1") },
  { "role", S ("web") },
  { "cores", S ("16") },
  { "memory_gb", N (64) },
  { "load", N (0.5) },
  { "monitored", S ("true") },
  { "virtual", B (TRUE) },
  { "version", S ("1.10") },
  { "groups", L (web_groups) },
  { "ports", L (web_ports) },
  { "mixed", L (mixed_items) },
  { "nested", L (nested_items) },
  { "flags", EMPTY_LIST },
  { "empty", S ("") },
  { "facts.os_family", S ("debian") },
  { "facts.kernel", S ("6.1.0-18-amd64") },
  { "steps.check.rc", N (0) },
  { "path", S ("/var/log/a.b") },
  { "dotfile", S (".bashrc") },
  { "line", S ("line\n") },
  { "binary", S ("\xff\xfe") },
  { "many_a", S ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab") },
};

static Host
web07 (void)
{
  return (Host) { web07_attributes, G_N_ELEMENTS (web07_attributes), 0 };
}

static gboolean
lookup_attribute (const char *name, FleetValue *out, gpointer user_data)
{
  Host *host = user_data;

  host->n_lookups++;
  for (gsize i = 0; i < host->n_attributes; i++)
    {
      if (strcmp (host->attributes[i].name, name) == 0)
        {
          *out = host->attributes[i].value;
          return TRUE;
        }
    }
  return FALSE;
}

/* Log `text` for a failing test, escaped so that control characters and
 * invalid UTF-8 cannot break the TAP output. */
static void
note_expression (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  g_test_message ("%s", escaped);
}

static FleetExpr *
parse_or_fail (const char *text)
{
  g_autoptr(GError) error = NULL;
  FleetExpr *expr = fleet_expr_parse (text, &error);

  if (error != NULL)
    g_error ("%s: %s", text, error->message);
  return expr;
}

typedef enum {
  IS_FALSE,
  IS_TRUE,
  TYPE_ERROR,
  PATTERN_ERROR,
} Outcome;

typedef struct {
  const char *text;
  Outcome outcome;
} EvalCase;

static void
check_outcome (const char *text, Outcome outcome)
{
  g_autoptr(FleetExpr) expr = parse_or_fail (text);
  g_autoptr(GError) error = NULL;
  Host host = web07 ();
  gboolean result = 2;
  gboolean ok;

  note_expression (text);
  ok = fleet_expr_eval (expr, lookup_attribute, &host, &result, &error);

  switch (outcome)
    {
    case IS_FALSE:
    case IS_TRUE:
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (result, ==, outcome == IS_TRUE);
      break;
    case TYPE_ERROR:
      g_assert_error (error, FLEET_EXPR_ERROR, FLEET_EXPR_ERROR_TYPE);
      g_assert_false (ok);
      g_assert_cmpint (result, ==, 2);
      break;
    case PATTERN_ERROR:
      g_assert_error (error, FLEET_EXPR_ERROR, FLEET_EXPR_ERROR_PATTERN);
      g_assert_false (ok);
      break;
    }
}

static void
check_outcomes (const EvalCase *cases, gsize n_cases)
{
  for (gsize i = 0; i < n_cases; i++)
    check_outcome (cases[i].text, cases[i].outcome);
}

static void
test_eval_equality (void)
{
  const EvalCase cases[] = {
    { "dc == \"dc1\"", IS_TRUE },
    { "dc == \"dc2\"", IS_FALSE },
    { "dc != \"dc2\"", IS_TRUE },
    { "dc != \"dc1\"", IS_FALSE },
    { "\"dc1\" == dc", IS_TRUE },
    /* Strings compare as exact bytes. */
    { "dc == \"DC1\"", IS_FALSE },
    { "dc == \"dc1 \"", IS_FALSE },
    { "empty == \"\"", IS_TRUE },
    /* A string whose text is a number equals that number... */
    { "cores == 16", IS_TRUE },
    { "cores == 16.0", IS_TRUE },
    { "cores == 016", IS_TRUE },
    { "cores != 16", IS_FALSE },
    { "cores != 8", IS_TRUE },
    { "memory_gb == \"64\"", IS_TRUE },
    { "memory_gb == \"64.0\"", IS_TRUE },
    /* ...but two strings still compare as text. */
    { "cores == \"16\"", IS_TRUE },
    { "cores == \"16.0\"", IS_FALSE },
    { "version == \"1.10\"", IS_TRUE },
    { "version == 1.1", IS_TRUE },
    { "memory_gb == 64", IS_TRUE },
    { "load == 0.5", IS_TRUE },
    { "steps.check.rc == 0", IS_TRUE },
    { "steps.check.rc != -1", IS_TRUE },
    /* Booleans and their spellings. */
    { "virtual == true", IS_TRUE },
    { "virtual != false", IS_TRUE },
    { "virtual == \"true\"", IS_TRUE },
    { "virtual == \"TRUE\"", IS_TRUE },
    { "monitored == true", IS_TRUE },
    { "monitored == false", IS_FALSE },
    /* Lists. */
    { "groups == [\"web\", \"frontend\"]", IS_TRUE },
    { "groups == [\"frontend\", \"web\"]", IS_FALSE },
    { "groups == [\"web\"]", IS_FALSE },
    { "groups == [\"db\", \"frontend\"]", IS_FALSE },
    { "ports == [21, 443]", IS_FALSE },
    { "groups != []", IS_TRUE },
    { "flags == []", IS_TRUE },
    { "ports == [22, 443]", IS_TRUE },
    { "ports == [\"22\", \"443\"]", IS_TRUE },
    { "groups == groups", IS_TRUE },
    /* Pairs that no rule converts. */
    { "dc == 1", TYPE_ERROR },
    { "dc != 1", TYPE_ERROR },
    { "memory_gb == \"lots\"", TYPE_ERROR },
    { "dc == true", TYPE_ERROR },
    { "virtual == 1", TYPE_ERROR },
    { "groups == \"web\"", TYPE_ERROR },
    { "ports == [\"a\", \"b\"]", TYPE_ERROR },
    { "nested == [\"a\", \"b\"]", TYPE_ERROR },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_ordering (void)
{
  const EvalCase cases[] = {
    { "cores > 8", IS_TRUE },
    { "cores >= 16", IS_TRUE },
    { "cores > 16", IS_FALSE },
    { "cores < 16", IS_FALSE },
    { "cores <= 16", IS_TRUE },
    { "cores < 16.5", IS_TRUE },
    { "8 < cores", IS_TRUE },
    { "memory_gb > 32.5", IS_TRUE },
    { "memory_gb >= \"64\"", IS_TRUE },
    { "load < 1", IS_TRUE },
    { "load > 0.49", IS_TRUE },
    { "steps.check.rc > -1", IS_TRUE },
    { "steps.check.rc < -0.5", IS_FALSE },
    /* Two strings that are numbers compare as numbers. */
    { "\"9\" < \"10\"", IS_TRUE },
    { "version > 1", IS_TRUE },
    { "cores > memory_gb", IS_FALSE },
    { "cores > dc", TYPE_ERROR },
    { "dc > 1", TYPE_ERROR },
    { "virtual > 0", TYPE_ERROR },
    { "groups < 3", TYPE_ERROR },
    { "facts.kernel >= 6", TYPE_ERROR },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_membership (void)
{
  const EvalCase cases[] = {
    { "dc in [\"dc1\", \"dc2\"]", IS_TRUE },
    { "dc in [\"dc3\"]", IS_FALSE },
    { "dc not in [\"dc3\"]", IS_TRUE },
    { "dc not in [\"dc1\", \"dc2\"]", IS_FALSE },
    { "dc in []", IS_FALSE },
    { "dc not in []", IS_TRUE },
    { "cores in [8, 16]", IS_TRUE },
    { "cores in [8, 32]", IS_FALSE },
    { "cores in [\"16\"]", IS_TRUE },
    { "cores in [\"16.0\"]", IS_FALSE },
    { "memory_gb in [64]", IS_TRUE },
    { "memory_gb in [\"64\", \"128\"]", IS_TRUE },
    { "memory_gb in [\"064\"]", IS_TRUE },
    { "virtual in [true]", IS_TRUE },
    { "virtual in [\"false\"]", IS_FALSE },
    { "monitored in [true]", IS_TRUE },
    { "\"web\" in groups", IS_TRUE },
    { "\"db\" in groups", IS_FALSE },
    { "role in groups", IS_TRUE },
    { "dc not in groups", IS_TRUE },
    { "22 in ports", IS_TRUE },
    { "\"22\" in ports", IS_TRUE },
    { "\"x\" in flags", IS_FALSE },
    { "groups contains \"web\"", IS_TRUE },
    { "groups contains \"db\"", IS_FALSE },
    { "groups contains role", IS_TRUE },
    { "ports contains 443", IS_TRUE },
    { "ports contains \"443\"", IS_TRUE },
    { "flags contains \"x\"", IS_FALSE },
    { "[\"web\", \"db\"] contains role", IS_TRUE },
    { "[\"db\"] contains role", IS_FALSE },
    { "[8, 16] contains cores", IS_TRUE },
    /* Every item must be comparable with the value, found or not. */
    { "memory_gb in [\"64\", \"lots\"]", TYPE_ERROR },
    { "dc in [1, 2]", TYPE_ERROR },
    { "virtual in [1]", TYPE_ERROR },
    { "groups in [\"web\"]", TYPE_ERROR },
    { "dc in dc", TYPE_ERROR },
    { "\"a\" in mixed", TYPE_ERROR },
    { "1 in mixed", TYPE_ERROR },
    { "dc contains \"d\"", TYPE_ERROR },
    { "cores contains 1", TYPE_ERROR },
    { "ports contains dc", TYPE_ERROR },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_glob (void)
{
  const EvalCase cases[] = {
    { "name like \"web*\"", IS_TRUE },
    { "name like \"web0?\"", IS_TRUE },
    { "name like \"web?\"", IS_FALSE },
    { "name like \"db*\"", IS_FALSE },
    { "name like \"web[0-9][0-9]\"", IS_TRUE },
    { "name like \"web[!0]*\"", IS_FALSE },
    { "name like \"WEB*\"", IS_FALSE },
    { "name like \"web07\"", IS_TRUE },
    { "name like \"*\"", IS_TRUE },
    { "empty like \"*\"", IS_TRUE },
    { "empty like \"?\"", IS_FALSE },
    /* No pathname or period flags: '*' crosses '/' and matches a leading '.'. */
    { "path like \"/var/*\"", IS_TRUE },
    { "path like \"*.b\"", IS_TRUE },
    { "dotfile like \"*rc\"", IS_TRUE },
    /* A backslash escapes the next character of the pattern. */
    { "name like \"web\\\\*\"", IS_FALSE },
    { "cores like \"1*\"", IS_TRUE },
    { "memory_gb like \"6*\"", TYPE_ERROR },
    { "groups like \"web\"", TYPE_ERROR },
    { "virtual like \"t*\"", TYPE_ERROR },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_regex (void)
{
  const EvalCase cases[] = {
    { "name =~ \"^web[0-9]+$\"", IS_TRUE },
    { "name =~ \"^db[0-9]+$\"", IS_FALSE },
    /* A regular expression matches anywhere unless anchored. */
    { "name =~ \"eb0\"", IS_TRUE },
    { "name =~ \"^eb\"", IS_FALSE },
    { "name =~ \"^WEB\"", IS_FALSE },
    { "name =~ \"(?i)^WEB\"", IS_TRUE },
    { "facts.kernel =~ \"^6\\\\.1\\\\.\"", IS_TRUE },
    { "facts.kernel =~ \"amd64$\"", IS_TRUE },
    { "empty =~ \"^$\"", IS_TRUE },
    /* "$" matches only at the very end, not before a final newline. */
    { "line =~ \"^line$\"", IS_FALSE },
    { "line =~ \"^line\\n$\"", IS_TRUE },
    { "cores =~ \"^1\"", IS_TRUE },
    { "memory_gb =~ \"6\"", TYPE_ERROR },
    { "binary =~ \"x\"", TYPE_ERROR },
    { "many_a =~ \"^(a+)+$\"", PATTERN_ERROR },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_conditions (void)
{
  const EvalCase cases[] = {
    { "true", IS_TRUE },
    { "false", IS_FALSE },
    { "not false", IS_TRUE },
    { "virtual", IS_TRUE },
    { "not virtual", IS_FALSE },
    { "monitored", IS_TRUE },
    { "defined(dc)", IS_TRUE },
    { "defined(facts.os_family)", IS_TRUE },
    { "defined(nope)", IS_FALSE },
    { "not defined(nope)", IS_TRUE },
    { "defined(flags)", IS_TRUE },
    { "defined(dc) == true", IS_TRUE },
    { "(dc == \"dc1\") == true", IS_TRUE },
    { "(dc == \"dc2\") == false", IS_TRUE },
    { "(dc == \"dc1\") != (cores == 16)", IS_FALSE },
    { "(not virtual) == false", IS_TRUE },
    { "(dc == \"dc1\") == monitored", IS_TRUE },
    { "dc", TYPE_ERROR },
    { "cores and true", TYPE_ERROR },
    { "not groups", TYPE_ERROR },
    { "memory_gb or false", TYPE_ERROR },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_precedence (void)
{
  const EvalCase cases[] = {
    /* and binds tighter than or. */
    { "true or false and false", IS_TRUE },
    { "(true or false) and false", IS_FALSE },
    { "false and false or true", IS_TRUE },
    { "false and (false or true)", IS_FALSE },
    /* not binds tighter than and and or... */
    { "not false and false", IS_FALSE },
    { "not (false and false)", IS_TRUE },
    { "false or not false", IS_TRUE },
    { "not true or true", IS_TRUE },
    { "not (true or true)", IS_FALSE },
    /* ...but looser than a comparison: not (dc == "dc2"). */
    { "not dc == \"dc2\"", IS_TRUE },
    { "not dc == \"dc1\"", IS_FALSE },
    { "not not dc == \"dc1\"", IS_TRUE },
    { "not cores > 8 or role == \"web\"", IS_TRUE },
    { "not cores > 8 and role == \"web\"", IS_FALSE },
    { "dc == \"dc1\" and cores >= 16 or role == \"db\"", IS_TRUE },
    { "dc == \"dc2\" and cores >= 16 or role == \"db\"", IS_FALSE },
    { "dc == \"dc2\" and (cores >= 16 or role == \"web\")", IS_FALSE },
    { "dc == \"dc1\" and (cores >= 99 or role == \"web\")", IS_TRUE },
    { "dc == \"dc2\" or cores >= 99 or role == \"web\"", IS_TRUE },
    { "dc == \"dc1\" and cores >= 8 and role == \"db\"", IS_FALSE },
    { "((dc == \"dc1\"))", IS_TRUE },
    { "dc in [\"dc1\"] and not groups contains \"db\"", IS_TRUE },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static void
test_eval_missing_never_matches (void)
{
  const EvalCase cases[] = {
    { "nope == \"x\"", IS_FALSE },
    { "nope != \"x\"", IS_FALSE },
    { "not (nope == \"x\")", IS_FALSE },
    { "not (nope != \"x\")", IS_FALSE },
    { "not nope == \"x\"", IS_FALSE },
    { "nope in [\"x\"]", IS_FALSE },
    { "nope not in [\"x\"]", IS_FALSE },
    { "not (nope in [\"x\"])", IS_FALSE },
    { "nope like \"*\"", IS_FALSE },
    { "not (nope like \"x*\")", IS_FALSE },
    { "nope =~ \"\"", IS_FALSE },
    { "nope > 1", IS_FALSE },
    { "nope <= 1", IS_FALSE },
    { "not (nope > 1)", IS_FALSE },
    { "groups contains nope", IS_FALSE },
    { "nope contains \"x\"", IS_FALSE },
    { "not (nope contains \"x\")", IS_FALSE },
    { "nope", IS_FALSE },
    { "not nope", IS_FALSE },
    { "nope == nope", IS_FALSE },
    { "(nope == 1) == false", IS_FALSE },
    /* An unknown operand does not raise the type error its value might. */
    { "nope == dc", IS_FALSE },
    { "dc > nope", IS_FALSE },
    { "dc in nope", IS_FALSE },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

/* and, or and not over unknown follow three-valued logic. */
static void
test_eval_missing_three_valued (void)
{
  const EvalCase cases[] = {
    { "nope == 1 or true", IS_TRUE },
    { "true or nope == 1", IS_TRUE },
    { "nope == 1 or false", IS_FALSE },
    { "not (nope == 1 or false)", IS_FALSE },
    { "nope == 1 and false", IS_FALSE },
    { "not (nope == 1 and false)", IS_TRUE },
    { "nope == 1 and true", IS_FALSE },
    { "not (nope == 1 and true)", IS_FALSE },
    { "nope == 1 or nope == 2", IS_FALSE },
    { "not (nope == 1 or nope == 2)", IS_FALSE },
    { "defined(nope) and nope > 5", IS_FALSE },
    { "not defined(nope) or nope > 5", IS_TRUE },
    { "defined(nope) and nope == \"x\" or dc == \"dc1\"", IS_TRUE },
  };

  check_outcomes (cases, G_N_ELEMENTS (cases));
}

static char *
join_names (GPtrArray *names)
{
  g_ptr_array_add (names, NULL);
  g_ptr_array_set_size (names, names->len - 1);
  return g_strjoinv (",", (char **) names->pdata);
}

static void
test_eval_missing_names_reported (void)
{
  const struct {
    const char *text;
    const char *missing;
  } cases[] = {
    { "dc == \"dc1\"", "" },
    { "nope == 1", "nope" },
    { "nope == other", "nope,other" },
    { "nope == 1 or other == 2 or defined(third) or nope == 3", "nope,other" },
    { "true or nope == 1", "" },
    { "false and nope == 1", "" },
    { "not defined(nope)", "" },
    { "groups contains nope", "nope" },
    { "not nope", "nope" },
    { "(nope == 1) == (other == 2)", "nope,other" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetExpr) expr = parse_or_fail (cases[i].text);
      g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GError) error = NULL;
      g_autofree char *joined = NULL;
      Host host = web07 ();
      gboolean result;

      note_expression (cases[i].text);
      g_assert_true (fleet_expr_eval_full (expr, lookup_attribute, &host, missing, &result,
                                           &error));
      g_assert_no_error (error);
      joined = join_names (missing);
      g_assert_cmpstr (joined, ==, cases[i].missing);
    }
}

static void
test_eval_missing_names_not_duplicated (void)
{
  g_autoptr(FleetExpr) expr = parse_or_fail ("nope == 1 or other == 2");
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  Host host = web07 ();
  gboolean result;

  g_ptr_array_add (missing, g_strdup ("other"));
  g_assert_true (fleet_expr_eval_full (expr, lookup_attribute, &host, missing, &result, NULL));
  g_assert_true (fleet_expr_eval_full (expr, lookup_attribute, &host, missing, &result, NULL));
  joined = join_names (missing);
  g_assert_cmpstr (joined, ==, "other,nope");
}

/* `and` and `or` stop at the operand that decides them, so the names after
 * it are never looked up and their type errors never raised. */
static void
test_eval_short_circuit (void)
{
  const struct {
    const char *text;
    guint n_lookups;
    gboolean result;
  } cases[] = {
    { "false and dc > 1", 0, FALSE },
    { "true or dc > 1", 0, TRUE },
    { "dc == \"dc2\" and cores > dc", 1, FALSE },
    { "dc == \"dc1\" or cores > dc", 1, TRUE },
    { "nope == 1 and false and dc > 1", 1, FALSE },
    { "dc == \"dc1\" and cores == 16 and role == \"web\"", 3, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetExpr) expr = parse_or_fail (cases[i].text);
      g_autoptr(GError) error = NULL;
      Host host = web07 ();
      gboolean result;

      note_expression (cases[i].text);
      g_assert_true (fleet_expr_eval (expr, lookup_attribute, &host, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpint (result, ==, cases[i].result);
      g_assert_cmpuint (host.n_lookups, ==, cases[i].n_lookups);
    }

  check_outcome ("dc > 1 and false", TYPE_ERROR);
}

static void
test_eval_error_messages (void)
{
  const struct {
    const char *text;
    const char *message;
  } cases[] = {
    { "dc == 1",
      "'==' at column 4 cannot compare dc (the string \"dc1\") with the number 1" },
    { "memory_gb != \"lots\"",
      "'!=' at column 11 cannot compare memory_gb (the number 64) with the string \"lots\"" },
    { "cores > dc",
      "'>' at column 7 compares numbers, but its right side is dc (the string \"dc1\")" },
    { "virtual >= 1",
      "'>=' at column 9 compares numbers, but its left side is virtual (the boolean true)" },
    { "dc in [1, 2]",
      "'in' at column 4 cannot compare dc (the string \"dc1\") with item 1 of the list, "
      "the number 1" },
    { "\"a\" not in mixed",
      "'not in' at column 5 cannot compare the string \"a\" with item 2 of the list, "
      "the number 1" },
    { "dc in dc",
      "'in' at column 4 needs a list on its right, but its right side is dc "
      "(the string \"dc1\")" },
    { "dc contains \"d\"",
      "'contains' at column 4 needs a list on its left, but its left side is dc "
      "(the string \"dc1\")" },
    { "memory_gb like \"6*\"",
      "'like' at column 11 matches strings, but its left side is memory_gb (the number 64)" },
    { "groups =~ \"web\"",
      "'=~' at column 8 matches strings, but its left side is groups (a list of 2 items)" },
    { "binary =~ \"x\"",
      "'=~' at column 8 matches UTF-8 text, but its left side is binary "
      "(the string \"\\xff\\xfe\")" },
    { "dc and true",
      "dc at column 1 is used as a condition, but it is the string \"dc1\", not true or "
      "false; compare it with a value, as in dc == \"...\"" },
    { "(dc == \"dc1\") == cores",
      "'==' at column 15 cannot compare the condition at column 5 (true) with cores "
      "(the string \"16\")" },
    { "many_a =~ \"^(a+)+$\"",
      "'=~' at column 8 failed on many_a (the string \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaa...\"): backtracking limit reached; simplify the regular "
      "expression" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(FleetExpr) expr = parse_or_fail (cases[i].text);
      g_autoptr(GError) error = NULL;
      Host host = web07 ();
      gboolean result;

      note_expression (cases[i].text);
      g_assert_false (fleet_expr_eval (expr, lookup_attribute, &host, &result, &error));
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }

  /* The example of docs/selectors.md, "Comparing strings, numbers and
   * booleans". */
  {
    static const Attribute many_cores[] = { { "cores", S ("many") } };
    g_autoptr(FleetExpr) expr = parse_or_fail ("cores >= 16");
    g_autoptr(GError) error = NULL;
    Host host = { many_cores, G_N_ELEMENTS (many_cores), 0 };
    gboolean result;

    g_assert_false (fleet_expr_eval (expr, lookup_attribute, &host, &result, &error));
    g_assert_error (error, FLEET_EXPR_ERROR, FLEET_EXPR_ERROR_TYPE);
    g_assert_cmpstr (error->message, ==, "'>=' at column 7 compares numbers, but its left side "
                                         "is cores (the string \"many\")");
  }
}

static gboolean
lookup_list (const char *name, FleetValue *out, gpointer user_data)
{
  const FleetValue *list = user_data;

  if (strcmp (name, "list") != 0)
    return FALSE;
  *out = *list;
  return TRUE;
}

/* Return "true", "false" or "error" for `probe in LIST`, where LIST is
 * either written out in the expression or supplied by the lookup. */
static const char *
membership_outcome (const char *probe, const char *list_text, const FleetValue *list,
                    gboolean literal)
{
  g_autofree char *text = g_strdup_printf ("%s in %s", probe, literal ? list_text : "list");
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetExpr) expr = fleet_expr_parse (text, &error);
  gboolean result;

  if (expr == NULL)
    {
      g_assert_error (error, FLEET_EXPR_ERROR, FLEET_EXPR_ERROR_TYPE);
      return "error";
    }
  if (!fleet_expr_eval (expr, lookup_list, (gpointer) list, &result, &error))
    {
      g_assert_error (error, FLEET_EXPR_ERROR, FLEET_EXPR_ERROR_TYPE);
      return "error";
    }
  return result ? "true" : "false";
}

/* The index of a literal list must return the same result as a scan of the
 * same items with fleet_value_equal, errors included. */
static void
test_eval_literal_list_matches_scan (void)
{
  static const FleetValue strings[] = { S ("dc1"), S ("16"), S ("true") };
  static const FleetValue numeric_strings[] = { S ("16"), S ("-0.5"), S ("007") };
  static const FleetValue boolean_strings[] = { S ("true"), S ("FALSE") };
  static const FleetValue numbers[] = { N (16), N (-0.5), N (7), N (0) };
  static const FleetValue booleans[] = { B (TRUE) };
  static const struct {
    const char *text;
    FleetValue value;
  } lists[] = {
    { "[\"dc1\", \"16\", \"true\"]", L (strings) },
    { "[\"16\", \"-0.5\", \"007\"]", L (numeric_strings) },
    { "[\"true\", \"FALSE\"]", L (boolean_strings) },
    { "[16, -0.5, 7, 0]", L (numbers) },
    { "[true]", L (booleans) },
    { "[]", EMPTY_LIST },
  };
  const char *probes[] = {
    "\"dc1\"", "\"16\"", "\"16.0\"", "\"7\"", "\"-0.5\"", "\"true\"", "\"false\"", "\"TRUE\"",
    "\"x\"", "\"\"", "16", "7", "-0.5", "0", "-0", "3", "true", "false", "[16]",
  };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint p = 0; p < G_N_ELEMENTS (probes); p++)
      {
        const char *indexed = membership_outcome (probes[p], lists[l].text, &lists[l].value, TRUE);
        const char *scanned = membership_outcome (probes[p], lists[l].text, &lists[l].value, FALSE);

        g_test_message ("%s in %s", probes[p], lists[l].text);
        g_assert_cmpstr (indexed, ==, scanned);
      }

  /* The index itself, without the scan that the evaluator falls back to
   * when the index reports an incomparable value. */
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      static const FleetValue probe_values[] = {
        S ("dc1"), S ("16"), S ("16.0"), S ("-0.5"), S ("true"), S ("FALSE"), S ("x"),
        N (16), N (7), N (-0.5), N (0), N (3), B (TRUE), B (FALSE), L (web_ports),
      };
      FleetExprSet *set = fleet_expr_set_new (&lists[l].value);

      for (guint p = 0; p < G_N_ELEMENTS (probe_values); p++)
        {
          const FleetValue *list = &lists[l].value;
          gboolean scan_comparable = TRUE;
          gboolean scan_found = FALSE;
          gboolean set_found = FALSE;
          gboolean set_comparable;

          for (gsize i = 0; i < list->list.length; i++)
            {
              gboolean equal = FALSE;

              scan_comparable = fleet_value_equal (&probe_values[p], &list->list.items[i], &equal)
                                && scan_comparable;
              scan_found = scan_found || equal;
            }

          set_comparable = fleet_expr_set_contains (set, &probe_values[p], &set_found);
          g_test_message ("list %u, probe %u", l, p);
          g_assert_cmpint (set_comparable, ==, scan_comparable);
          if (scan_comparable)
            g_assert_cmpint (set_found, ==, scan_found);
        }
      fleet_expr_set_free (set);
    }

  g_assert_cmpstr (membership_outcome ("\"16.0\"", "", &lists[3].value, FALSE), ==, "true");
  g_assert_cmpstr (membership_outcome ("\"16.0\"", "", &lists[1].value, FALSE), ==, "false");
  g_assert_cmpstr (membership_outcome ("16", "", &lists[1].value, FALSE), ==, "true");
  g_assert_cmpstr (membership_outcome ("16", "", &lists[0].value, FALSE), ==, "error");
  g_assert_cmpstr (membership_outcome ("false", "", &lists[2].value, FALSE), ==, "true");
}

static void
test_value_number_text (void)
{
  const struct {
    const char *text;
    gboolean is_number;
    double value;
  } cases[] = {
    { "16", TRUE, 16 },
    { "-2", TRUE, -2 },
    { "0.5", TRUE, 0.5 },
    { "007", TRUE, 7 },
    { "-0", TRUE, 0 },
    { "1.10", TRUE, 1.1 },
    { "", FALSE, 0 },
    { "-", FALSE, 0 },
    { " 16", FALSE, 0 },
    { "16 ", FALSE, 0 },
    { "+1", FALSE, 0 },
    { "1e3", FALSE, 0 },
    { "0x10", FALSE, 0 },
    { "1.", FALSE, 0 },
    { ".5", FALSE, 0 },
    { "1.2.3", FALSE, 0 },
    { "inf", FALSE, 0 },
    { "nan", FALSE, 0 },
    { "1,5", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FleetValue value = fleet_value_string (cases[i].text);
      double number = -999;

      g_test_message ("\"%s\"", cases[i].text);
      g_assert_cmpint (fleet_value_to_number (&value, &number), ==, cases[i].is_number);
      if (cases[i].is_number)
        g_assert_cmpfloat (number, ==, cases[i].value);
      else
        g_assert_cmpfloat (number, ==, -999);
    }

  {
    g_autoptr(GString) huge = g_string_new ("1");
    FleetValue value;
    double number;

    for (guint i = 0; i < 400; i++)
      g_string_append_c (huge, '0');
    value = fleet_value_string (huge->str);
    g_assert_false (fleet_value_to_number (&value, &number));
  }
}

static void
test_value_number_format (void)
{
  const struct {
    double number;
    const char *text;
  } cases[] = {
    { 0, "0" },
    { -0.0, "0" },
    { 16, "16" },
    { -16, "-16" },
    { 0.5, "0.5" },
    { 0.1, "0.1" },
    { 1.1, "1.1" },
    { 100, "100" },
    { 1e21, "1000000000000000000000" },
    { 123.456, "123.456" },
    { 0.000001, "0.000001" },
    { 9007199254740992.0, "9007199254740992" },
    { 0.1 + 0.2, "0.30000000000000004" },
    { 1.0 / 3.0, "0.3333333333333333" },
    { INFINITY, "inf" },
    { -INFINITY, "-inf" },
    { NAN, "nan" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);

      fleet_number_append (out, cases[i].number);
      g_assert_cmpstr (out->str, ==, cases[i].text);
    }

  /* Any finite double reads back exactly from its text. */
  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(GString) out = g_string_new (NULL);
      guint64 bits = ((guint64) g_test_rand_int () << 32) | (guint32) g_test_rand_int ();
      double number;

      memcpy (&number, &bits, sizeof number);
      if (!isfinite (number))
        continue;

      fleet_number_append (out, number);
      g_assert_true (fleet_number_syntax_is_valid (out->str, out->len));
      g_assert_cmpfloat (g_ascii_strtod (out->str, NULL), ==, number);
    }
}

/* Lists compare item by item down to FLEET_VALUE_MAX_NESTING levels; deeper
 * ones cannot be compared instead of recursing without bound. */
static void
test_value_list_nesting (void)
{
  FleetValue levels[FLEET_VALUE_MAX_NESTING + 2];
  gboolean equal = FALSE;

  levels[0] = fleet_value_string ("leaf");
  for (guint i = 1; i < G_N_ELEMENTS (levels); i++)
    levels[i] = fleet_value_list (&levels[i - 1], 1);

  g_assert_true (fleet_value_equal (&levels[FLEET_VALUE_MAX_NESTING],
                                    &levels[FLEET_VALUE_MAX_NESTING], &equal));
  g_assert_true (equal);
  g_assert_false (fleet_value_equal (&levels[FLEET_VALUE_MAX_NESTING + 1],
                                     &levels[FLEET_VALUE_MAX_NESTING + 1], &equal));
}

/* Input text and its canonical form. */
static const struct {
  const char *text;
  const char *canonical;
} canonical_cases[] = {
  { "dc==\"dc1\"", "dc == \"dc1\"" },
  { "  dc   ==  \"dc1\"  ", "dc == \"dc1\"" },
  { "dc\t==\n\"dc1\"\r\n", "dc == \"dc1\"" },
  { "a and b or c", "a and b or c" },
  { "(a and b) or c", "a and b or c" },
  { "a and (b or c)", "a and (b or c)" },
  { "(a or b) and (c or d)", "(a or b) and (c or d)" },
  { "a or (b or c)", "a or b or c" },
  { "(a and b) and c", "a and b and c" },
  { "a and (b and (c and d))", "a and b and c and d" },
  { "not a == 1", "not (a == 1)" },
  { "not (a == 1)", "not (a == 1)" },
  { "not (a)", "not a" },
  { "not not a", "not not a" },
  { "not (not a)", "not not a" },
  { "not (a and b)", "not (a and b)" },
  { "not a and b", "not a and b" },
  { "(not a) == b", "(not a) == b" },
  { "not defined(x)", "not defined(x)" },
  { "defined( x )", "defined(x)" },
  { "((((a))))", "a" },
  { "(a == 1) == (b == 2)", "(a == 1) == (b == 2)" },
  { "x==\"a\"and y==\"b\"", "x == \"a\" and y == \"b\"" },
  { "x==-1", "x == -1" },
  { "x == 007", "x == 7" },
  { "x == 1.50", "x == 1.5" },
  { "x == -0", "x == 0" },
  { "x == -0.0", "x == 0" },
  { "x > 0.1", "x > 0.1" },
  { "x == 0.000001", "x == 0.000001" },
  { "x == 9007199254740993", "x == 9007199254740992" },
  { "x == 123456789012345678901234567890", "x == 123456789012345680000000000000" },
  { "x in [ \"a\" , \"b\", ]", "x in [\"a\", \"b\"]" },
  { "x in []", "x in []" },
  { "x in [ ]", "x in []" },
  { "x not in [1,2]", "x not in [1, 2]" },
  { "x not   in [true,false]", "x not in [true, false]" },
  { "s == \"a\\\"b\\\\c\\nd\\te\"", "s == \"a\\\"b\\\\c\\nd\\te\"" },
  { "s == \"\xc3\xa9t\xc3\xa9\"", "s == \"\xc3\xa9t\xc3\xa9\"" },
  { "s == \"\"", "s == \"\"" },
  { "x like \"web*\"", "x like \"web*\"" },
  { "x=~\"^a$\"", "x =~ \"^a$\"" },
  { "groups contains \"db\"", "groups contains \"db\"" },
  { "facts.os_family == \"Debian\"", "facts.os_family == \"Debian\"" },
  { "_x.1 == 1", "_x.1 == 1" },
  { "true", "true" },
  { "(false)", "false" },
  { "a == true", "a == true" },
  { "a", "a" },
  { "a or b and c or d", "a or b and c or d" },
  { "(a or b) and not (c or d)", "(a or b) and not (c or d)" },
  { "a and not b == 1 or c", "a and not (b == 1) or c" },
  { "\"dc1\" == dc", "\"dc1\" == dc" },
  { "[1, 2] contains x", "[1, 2] contains x" },
  { "x < 1 or x <= 2 or x > 3 or x >= 4 or x != 5", "x < 1 or x <= 2 or x > 3 or x >= 4 or x != 5" },
};

static void
test_print_canonical (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (canonical_cases); i++)
    {
      g_autoptr(FleetExpr) expr = parse_or_fail (canonical_cases[i].text);
      g_autofree char *text = fleet_expr_to_string (expr);

      note_expression (canonical_cases[i].text);
      g_assert_cmpstr (text, ==, canonical_cases[i].canonical);
    }
}

/* Assert that the canonical text of `text` parses to the same text, and
 * return that text. */
static char *
assert_fixed_point (const char *text)
{
  g_autoptr(FleetExpr) expr = parse_or_fail (text);
  char *printed = fleet_expr_to_string (expr);
  g_autoptr(FleetExpr) reparsed = parse_or_fail (printed);
  g_autofree char *reprinted = fleet_expr_to_string (reparsed);

  g_assert_cmpstr (reprinted, ==, printed);
  return printed;
}

static void
test_print_fixed_point (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (canonical_cases); i++)
    {
      g_autofree char *printed = NULL;

      note_expression (canonical_cases[i].text);
      printed = assert_fixed_point (canonical_cases[i].text);
    }
}

/* Canonical text evaluates as the original: a table of expressions that
 * mixes every operator, evaluated before and after printing. */
static void
test_print_keeps_meaning (void)
{
  const char *texts[] = {
    "not dc == \"dc2\" and cores > 8",
    "(not virtual) == false or dc == \"x\"",
    "dc in [\"dc1\"] and not groups contains \"db\"",
    "a or b and c",
    "nope == 1 or not (dc like \"d*\" and name =~ \"^web\")",
    "memory_gb in [064, 128] and load <= 0.50",
    "not (defined(nope) or false) and ports contains \"22\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(FleetExpr) expr = parse_or_fail (texts[i]);
      g_autofree char *printed = fleet_expr_to_string (expr);
      g_autoptr(FleetExpr) reparsed = parse_or_fail (printed);
      Host host = web07 ();
      gboolean before = 2;
      gboolean after = 3;
      gboolean ok_before = fleet_expr_eval (expr, lookup_attribute, &host, &before, NULL);
      gboolean ok_after = fleet_expr_eval (reparsed, lookup_attribute, &host, &after, NULL);

      g_test_message ("%s -> %s", texts[i], printed);
      g_assert_cmpint (ok_before, ==, ok_after);
      if (ok_before)
        g_assert_cmpint (before, ==, after);
    }
}

typedef struct {
  const char *text;
  FleetExprError code;
  guint column;
  const char *message;
} ParseErrorCase;

static void
check_parse_error (const ParseErrorCase *item)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(FleetExpr) expr = NULL;
  guint column = 0;

  note_expression (item->text);
  expr = fleet_expr_parse_full (item->text, &column, &error);
  g_assert_null (expr);
  g_assert_error (error, FLEET_EXPR_ERROR, (gint) item->code);
  g_assert_cmpuint (column, ==, item->column);
  if (item->message != NULL)
    g_assert_cmpstr (error->message, ==, item->message);
}

static void
test_parse_errors (void)
{
  const ParseErrorCase cases[] = {
    { "", FLEET_EXPR_ERROR_SYNTAX, 1,
      "the expression is empty at column 1; write a condition such as dc == \"dc1\"" },
    { "  \t ", FLEET_EXPR_ERROR_SYNTAX, 1, NULL },
    { "dc ==", FLEET_EXPR_ERROR_SYNTAX, 6,
      "expected a value after '==' at column 6, found end of expression" },
    { "cores >= ", FLEET_EXPR_ERROR_SYNTAX, 10,
      "expected a value after '>=' at column 10, found end of expression" },
    { "dc == \"dc1\" and", FLEET_EXPR_ERROR_SYNTAX, 16,
      "expected a condition after 'and' at column 16, found end of expression" },
    { "a and or b", FLEET_EXPR_ERROR_SYNTAX, 7,
      "expected a condition after 'and' at column 7, found 'or'" },
    { "a or", FLEET_EXPR_ERROR_SYNTAX, 5, NULL },
    { "not", FLEET_EXPR_ERROR_SYNTAX, 4,
      "expected a condition after 'not' at column 4, found end of expression" },
    { "not in x", FLEET_EXPR_ERROR_SYNTAX, 5,
      "expected a condition after 'not' at column 5, found 'in'" },
    { "()", FLEET_EXPR_ERROR_SYNTAX, 2,
      "expected a condition after '(' at column 2, found ')'" },
    { "== 1", FLEET_EXPR_ERROR_SYNTAX, 1,
      "expected a condition at column 1, found '=='" },
    { "(dc == \"dc1\"", FLEET_EXPR_ERROR_SYNTAX, 13,
      "expected 'and', 'or' or ')' at column 13 to close the '(' at column 1, found end of "
      "expression" },
    { "(a b)", FLEET_EXPR_ERROR_SYNTAX, 4,
      "expected an operator, 'and', 'or' or ')' at column 4 to close the '(' at column 1, "
      "found name b" },
    { "dc == \"dc1\")", FLEET_EXPR_ERROR_SYNTAX, 12, "unmatched ')' at column 12" },
    { "dc \"dc1\"", FLEET_EXPR_ERROR_SYNTAX, 4,
      "expected an operator, 'and', 'or' or end of expression at column 4, found string "
      "\"dc1\"" },
    { "dc == \"dc1\" \"x\"", FLEET_EXPR_ERROR_SYNTAX, 13,
      "expected 'and', 'or' or end of expression at column 13, found string \"x\"" },
    { "dc = \"dc1\"", FLEET_EXPR_ERROR_SYNTAX, 4,
      "unexpected character \"=\" at column 4; write == to compare" },
    { "a && b", FLEET_EXPR_ERROR_SYNTAX, 3,
      "unexpected character \"&\" at column 3; write 'and' instead of &&" },
    { "a || b", FLEET_EXPR_ERROR_SYNTAX, 3,
      "unexpected character \"|\" at column 3; write 'or' instead of ||" },
    { "!a", FLEET_EXPR_ERROR_SYNTAX, 1,
      "unexpected character \"!\" at column 1; write 'not' to negate a condition, or != to "
      "compare" },
    { "x !~ \"a\"", FLEET_EXPR_ERROR_SYNTAX, 3,
      "unexpected character \"!\" at column 3; write not (NAME =~ \"PATTERN\") instead of !~" },
    { "dc == 'dc1'", FLEET_EXPR_ERROR_SYNTAX, 7,
      "unexpected character \"'\" at column 7; strings use double quotes" },
    { "a-b == 1", FLEET_EXPR_ERROR_SYNTAX, 2,
      "unexpected character \"-\" at column 2; a '-' must be followed by a digit, as in -1; "
      "names cannot contain '-'" },
    { "x == @", FLEET_EXPR_ERROR_SYNTAX, 6, "unexpected character \"@\" at column 6" },
    { "x == \"\xc3\xa9\" and ~", FLEET_EXPR_ERROR_SYNTAX, 14,
      "unexpected character \"~\" at column 14" },
    { "x == \xc3\xa9", FLEET_EXPR_ERROR_SYNTAX, 6,
      "unexpected character \"\\xc3\\xa9\" at column 6" },
    { "x == \"\xff\"", FLEET_EXPR_ERROR_SYNTAX, 7,
      "the expression is not valid UTF-8 at column 7" },
    { "dc == \"dc1", FLEET_EXPR_ERROR_SYNTAX, 7,
      "unterminated string starting at column 7; end it with \"" },
    { "dc == \"dc1\\", FLEET_EXPR_ERROR_SYNTAX, 7, NULL },
    { "x =~ \"\\d\"", FLEET_EXPR_ERROR_SYNTAX, 7,
      "unknown escape sequence \\d at column 7; the escapes are \\\" \\\\ \\n \\t, so write "
      "\\\\d for a backslash followed by d" },
    { "x == \"\\\xc3\xa9\"", FLEET_EXPR_ERROR_SYNTAX, 7,
      "unknown escape sequence at column 7; the escapes are \\\" \\\\ \\n \\t" },
    { "x == \"a\tb\"", FLEET_EXPR_ERROR_SYNTAX, 8,
      "control character 0x09 in the string at column 8; write \\n for a newline, \\t for a "
      "tab" },
    { "x == 1.", FLEET_EXPR_ERROR_SYNTAX, 6,
      "invalid number \"1.\" at column 6; a number is digits with an optional '-' and decimal "
      "part, such as 16 or -0.5, and text such as a version or an address goes in double "
      "quotes" },
    { "x == 10.0.0.1", FLEET_EXPR_ERROR_SYNTAX, 6, NULL },
    { "x == 1" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
      "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
      "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
      "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
      "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000"
      "0000000000" "0000000000",
      FLEET_EXPR_ERROR_SYNTAX, 6,
      "number \"1000000000000000000000000000000000000000...\" at column 6 is too large" },
    { "x == 1e5", FLEET_EXPR_ERROR_SYNTAX, 6, NULL },
    { "x == 5and y", FLEET_EXPR_ERROR_SYNTAX, 6, NULL },
    { "x == -", FLEET_EXPR_ERROR_SYNTAX, 6, NULL },
    { "a..b == 1", FLEET_EXPR_ERROR_SYNTAX, 1,
      "invalid name \"a..b\" at column 1; a dot must join two parts of a name, as in "
      "facts.os_family" },
    { "a. == 1", FLEET_EXPR_ERROR_SYNTAX, 1, NULL },
    { "A AND B", FLEET_EXPR_ERROR_SYNTAX, 3,
      "AND at column 3 is not a keyword; keywords are lower case: and" },
    { "x == TRUE", FLEET_EXPR_ERROR_SYNTAX, 6,
      "TRUE at column 6 is not a keyword; keywords are lower case: true" },
    { "Not x", FLEET_EXPR_ERROR_SYNTAX, 1, NULL },
    { "defined x", FLEET_EXPR_ERROR_SYNTAX, 9,
      "expected '(' after 'defined' at column 9, found name x" },
    { "defined(\"x\")", FLEET_EXPR_ERROR_SYNTAX, 9,
      "expected a name inside defined() at column 9, found string \"x\"" },
    { "defined(x", FLEET_EXPR_ERROR_SYNTAX, 10,
      "expected ')' to close defined( at column 10, found end of expression" },
    { "x in", FLEET_EXPR_ERROR_SYNTAX, 5,
      "expected a value after 'in' at column 5, found end of expression" },
    { "x in [a]", FLEET_EXPR_ERROR_SYNTAX, 7,
      "expected a string, number or boolean at column 7 in the list that starts at column 6, "
      "found name a; list items are literal values, not names" },
    { "x in [1, \"a\"]", FLEET_EXPR_ERROR_SYNTAX, 10,
      "the list item at column 10 is a string, but the list that starts at column 6 begins "
      "with a number; the items of a list must have one type" },
    { "x in [1 2]", FLEET_EXPR_ERROR_SYNTAX, 9,
      "expected ',' or ']' at column 9 in the list that starts at column 6, found number 2" },
    { "x in [1,", FLEET_EXPR_ERROR_SYNTAX, 9, NULL },
    { "x in [,]", FLEET_EXPR_ERROR_SYNTAX, 7, NULL },
    { "x in [[1]]", FLEET_EXPR_ERROR_SYNTAX, 7,
      "expected a string, number or boolean at column 7 in the list that starts at column 6, "
      "found '['" },
    { "a < b < c", FLEET_EXPR_ERROR_SYNTAX, 7,
      "comparisons cannot be chained: found '<' at column 7 after the comparison at column 3; "
      "join two comparisons with 'and'" },
    { "a == b not in c", FLEET_EXPR_ERROR_SYNTAX, 8, NULL },
    { "a not like \"x\"", FLEET_EXPR_ERROR_SYNTAX, 7,
      "expected 'in' after 'not' at column 7, found 'like'; to negate a comparison, put 'not' "
      "before it, as in not (NAME like \"PATTERN\")" },
    { "x like y", FLEET_EXPR_ERROR_SYNTAX, 8,
      "expected a pattern string after 'like' at column 8, found name y" },
    { "x =~ 5", FLEET_EXPR_ERROR_SYNTAX, 6,
      "expected a pattern string after '=~' at column 6, found number 5" },
    { "x like", FLEET_EXPR_ERROR_SYNTAX, 7, NULL },
    { "x =~ \"(\"", FLEET_EXPR_ERROR_PATTERN, 6,
      "invalid regular expression \"(\" at column 6: missing terminating )" },
    { "name =~ \"web[0-9\" or x", FLEET_EXPR_ERROR_PATTERN, 9, NULL },
    { "x like \"a\\\\\"", FLEET_EXPR_ERROR_PATTERN, 8,
      "glob pattern \"a\\\\\" at column 8 ends with a backslash that escapes nothing, so it "
      "never matches" },
    { "\"dc1\"", FLEET_EXPR_ERROR_SYNTAX, 1,
      "expected a condition at column 1, found the string \"dc1\"; compare it with a name, as "
      "in dc == \"dc1\"" },
    { "5 and a", FLEET_EXPR_ERROR_SYNTAX, 1, NULL },
    { "a or 5", FLEET_EXPR_ERROR_SYNTAX, 6, NULL },
    { "not \"x\"", FLEET_EXPR_ERROR_SYNTAX, 5, NULL },
    { "[1] or a", FLEET_EXPR_ERROR_SYNTAX, 1,
      "expected a condition at column 1, found a list of 1 item; compare it with a name, as "
      "in dc == \"dc1\"" },
    { "(\"x\")", FLEET_EXPR_ERROR_SYNTAX, 2, NULL },
    { "x > \"many\"", FLEET_EXPR_ERROR_TYPE, 3,
      "'>' at column 3 compares numbers, but its right side is the string \"many\"" },
    { "true <= x", FLEET_EXPR_ERROR_TYPE, 6,
      "'<=' at column 6 compares numbers, but its left side is the boolean true" },
    { "x < [1]", FLEET_EXPR_ERROR_TYPE, 3, NULL },
    { "(a == 1) >= 2", FLEET_EXPR_ERROR_TYPE, 10,
      "'>=' at column 10 compares numbers, but its left side is a condition (true or false)" },
    { "x in \"abc\"", FLEET_EXPR_ERROR_TYPE, 3,
      "'in' at column 3 needs a list on its right, but its right side is the string \"abc\"" },
    { "x not in 5", FLEET_EXPR_ERROR_TYPE, 3, NULL },
    { "\"abc\" contains x", FLEET_EXPR_ERROR_TYPE, 7,
      "'contains' at column 7 needs a list on its left, but its left side is the string "
      "\"abc\"" },
    { "5 like \"x\"", FLEET_EXPR_ERROR_TYPE, 3,
      "'like' at column 3 matches strings, but its left side is the number 5" },
    { "defined(x) =~ \"x\"", FLEET_EXPR_ERROR_TYPE, 12, NULL },
    { "1 == \"a\"", FLEET_EXPR_ERROR_TYPE, 3,
      "'==' at column 3 cannot compare the number 1 with the string \"a\"" },
    { "(a == b) == 1", FLEET_EXPR_ERROR_TYPE, 10,
      "'==' at column 10 cannot compare a condition (true or false) with the number 1" },
    { "x in [1, 2] and 3 in [\"a\"]", FLEET_EXPR_ERROR_TYPE, 19,
      "'in' at column 19 cannot compare the number 3 with item 1 of the list, the string \"a\"" },
    { "[\"a\", \"b\"] contains 2", FLEET_EXPR_ERROR_TYPE, 12, NULL },
    { "5 in [\"16\", \"a\"]", FLEET_EXPR_ERROR_TYPE, 3,
      "'in' at column 3 cannot compare the number 5 with item 2 of the list, the string \"a\"" },
    { "(a == 1) in [1]", FLEET_EXPR_ERROR_TYPE, 10, NULL },
    { "[1] in [2]", FLEET_EXPR_ERROR_TYPE, 5, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_parse_error (&cases[i]);
}

static void
test_parse_without_error_pointer (void)
{
  guint column = 0;

  g_assert_null (fleet_expr_parse ("a not like \"x\"", NULL));
  g_assert_null (fleet_expr_parse ("a <", NULL));
  g_assert_null (fleet_expr_parse_full ("(a", &column, NULL));
  g_assert_cmpuint (column, ==, 3);
}

static char *
repeat (const char *unit, guint count)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append (out, unit);
  return g_string_free (out, FALSE);
}

static void
test_limit_length (void)
{
  /* `x == "..."` is 7 bytes plus the string's contents. */
  g_autofree char *longest_text = repeat ("a", FLEET_EXPR_MAX_LENGTH - 7);
  g_autofree char *longest = g_strdup_printf ("x == \"%s\"", longest_text);
  g_autofree char *too_long = g_strdup_printf ("x == \"%sa\"", longest_text);
  g_autoptr(FleetExpr) expr = NULL;
  const ParseErrorCase too_long_case = {
    too_long, FLEET_EXPR_ERROR_LIMIT, 1,
    "the expression is 65537 bytes long at column 1; the maximum is 65536",
  };

  g_assert_cmpuint (strlen (longest), ==, FLEET_EXPR_MAX_LENGTH);
  expr = parse_or_fail (longest);
  check_parse_error (&too_long_case);
}

static void
test_limit_depth (void)
{
  g_autofree char *open_ok = repeat ("(", FLEET_EXPR_MAX_DEPTH);
  g_autofree char *close_ok = repeat (")", FLEET_EXPR_MAX_DEPTH);
  g_autofree char *parens_ok = g_strdup_printf ("%sa == 1%s", open_ok, close_ok);
  g_autofree char *parens_deep = g_strdup_printf ("(%s)", parens_ok);
  g_autofree char *nots_ok = repeat ("not ", FLEET_EXPR_MAX_DEPTH);
  g_autofree char *nots = g_strdup_printf ("%sa", nots_ok);
  g_autofree char *nots_deep = g_strdup_printf ("not %s", nots);
  g_autofree char *half_open = repeat ("(not ", FLEET_EXPR_MAX_DEPTH / 2);
  g_autofree char *half_close = repeat (")", FLEET_EXPR_MAX_DEPTH / 2);
  g_autofree char *mixed_ok = g_strdup_printf ("%sa%s", half_open, half_close);
  g_autofree char *mixed_deep = g_strdup_printf ("not %s", mixed_ok);
  g_autoptr(FleetExpr) expr1 = parse_or_fail (parens_ok);
  g_autoptr(FleetExpr) expr2 = parse_or_fail (nots);
  g_autoptr(FleetExpr) expr3 = parse_or_fail (mixed_ok);
  g_autofree char *printed = fleet_expr_to_string (expr2);
  const ParseErrorCase cases[] = {
    { parens_deep, FLEET_EXPR_ERROR_LIMIT, 65,
      "the expression nests parentheses and 'not' deeper than 64 levels at column 65; "
      "simplify it" },
    { nots_deep, FLEET_EXPR_ERROR_LIMIT, 257, NULL },
    { mixed_deep, FLEET_EXPR_ERROR_LIMIT, 161, NULL },
  };
  Host host = web07 ();
  gboolean result;

  g_assert_cmpstr (printed, ==, nots);
  g_assert_true (fleet_expr_eval (expr2, lookup_attribute, &host, &result, NULL));
  g_assert_false (result);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    check_parse_error (&cases[i]);
}

/* Flat `and` and `or` chains are not nesting: a 64 KiB chain parses,
 * prints and evaluates without deep recursion. */
static void
test_limit_long_chain (void)
{
  g_autoptr(GString) text = g_string_new ("dc == \"x\"");
  g_autoptr(FleetExpr) expr = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *printed = NULL;
  Host host = web07 ();
  gboolean result;

  while (text->len + 20 < FLEET_EXPR_MAX_LENGTH)
    g_string_append_printf (text, " or a%" G_GSIZE_FORMAT " == 1", text->len);
  g_string_append (text, " or dc == \"dc1\"");

  expr = parse_or_fail (text->str);
  printed = fleet_expr_to_string (expr);
  g_assert_cmpstr (printed, ==, text->str);
  g_assert_true (fleet_expr_eval (expr, lookup_attribute, &host, &result, NULL));
  g_assert_true (result);

  fleet_expr_collect_names (expr, names);
  g_assert_cmpstr (names->pdata[0], ==, "dc");
  g_assert_cmpuint (names->len, >, 4000);
}

static void
test_limit_list (void)
{
  g_autoptr(GString) items = g_string_new (NULL);
  g_autofree char *longest = NULL;
  g_autofree char *too_long = NULL;
  g_autoptr(FleetExpr) expr = NULL;
  Host host = web07 ();
  gboolean result;

  for (guint i = 0; i < FLEET_EXPR_MAX_LIST_ITEMS; i++)
    g_string_append_printf (items, "%s%u", i > 0 ? "," : "", i + 1);

  longest = g_strdup_printf ("memory_gb in [%s]", items->str);
  expr = parse_or_fail (longest);
  g_assert_true (fleet_expr_eval (expr, lookup_attribute, &host, &result, NULL));
  g_assert_true (result);

  too_long = g_strdup_printf ("memory_gb in [%s,0]", items->str);
  {
    const ParseErrorCase item = {
      too_long, FLEET_EXPR_ERROR_LIMIT, (guint) strlen (too_long) - 1,
      NULL,
    };
    g_autofree char *message = g_strdup_printf ("the list that starts at column 14 has more "
                                                "than 10000 items; the next one is at column %u",
                                                item.column);
    ParseErrorCase with_message = item;

    with_message.message = message;
    check_parse_error (&with_message);
  }
}

static void
test_names_collect (void)
{
  g_autoptr(FleetExpr) expr = parse_or_fail ("dc == \"dc1\" and (facts.os_family like \"deb*\" "
                                             "or not defined(rack)) and dc != rack and "
                                             "groups contains \"web\"");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  g_ptr_array_add (names, g_strdup ("groups"));
  fleet_expr_collect_names (expr, names);
  joined = join_names (names);
  g_assert_cmpstr (joined, ==, "groups,dc,facts.os_family,rack");
}

static gboolean
lookup_nothing (const char *name, FleetValue *out, gpointer user_data)
{
  return FALSE;
}

/* Check what must hold for any input: the parser either returns an
 * expression or an error whose message names the column it reports; an
 * expression prints to a fixed point and evaluates without crashing.
 * Return whether `text` parsed. */
static gboolean
check_any_input (const char *text)
{
  g_autoptr(GError) error = NULL;
  guint column = 0;
  g_autoptr(FleetExpr) expr = fleet_expr_parse_full (text, &column, &error);
  g_autofree char *printed = NULL;
  g_autofree char *reprinted = NULL;
  g_autoptr(FleetExpr) reparsed = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  Host host = web07 ();
  gboolean can_be_true;
  gboolean result;

  if (expr == NULL)
    {
      g_autofree char *column_text = g_strdup_printf ("column %u", column);

      g_assert_true (error->domain == FLEET_EXPR_ERROR);
      g_assert_cmpuint (column, >=, 1);
      g_assert_cmpuint (column, <=, strlen (text) + 1);
      if (strstr (error->message, column_text) == NULL)
        g_error ("%s: \"%s\" does not name %s", text, error->message, column_text);
      return FALSE;
    }

  g_assert_no_error (error);
  printed = fleet_expr_to_string (expr);
  reparsed = fleet_expr_parse (printed, &error);
  if (reparsed == NULL)
    g_error ("%s printed as %s, which does not parse: %s", text, printed, error->message);
  reprinted = fleet_expr_to_string (reparsed);
  g_assert_cmpstr (reprinted, ==, printed);

  fleet_expr_collect_names (expr, names);
  for (guint i = 0; i < names->len; i++)
    g_assert_cmpuint (strlen (names->pdata[i]), >, 0);

  if (!fleet_expr_eval_full (expr, lookup_attribute, &host, missing, &result, &error))
    {
      g_assert_true (error->domain == FLEET_EXPR_ERROR);
      g_clear_error (&error);
    }
  /* With every name missing, an `and` of conditions that each use a name
   * is unknown, so it is false; only not, or and defined() can change that. */
  can_be_true = names->len == 0 || strstr (printed, "not") != NULL
                || strstr (printed, "or") != NULL || strstr (printed, "defined") != NULL;
  if (fleet_expr_eval (expr, lookup_nothing, NULL, &result, &error) && !can_be_true)
    g_assert_false (result);
  g_clear_error (&error);
  return TRUE;
}

static void
test_fuzz_random_bytes (void)
{
  /* Bytes that the language uses come up more often than others, so that
   * the random text gets past the lexer now and then. */
  const char *alphabet = "abcdnotrseilkfu_.0123456789-\"\\ ()[],=!<>~&|'\t\n";
  guint n_parsed = 0;

  for (guint i = 0; i < 30000; i++)
    {
      guint length = g_test_rand_int_range (0, 48);
      g_autofree char *text = g_malloc (length + 1);

      for (guint j = 0; j < length; j++)
        {
          if (g_test_rand_int_range (0, 4) == 0)
            text[j] = (char) g_test_rand_int_range (1, 256);
          else
            text[j] = alphabet[g_test_rand_int_range (0, (gint) strlen (alphabet))];
        }
      text[length] = '\0';

      if (check_any_input (text))
        n_parsed++;
    }
  g_test_message ("%u of 30000 random byte strings parsed", n_parsed);
}

static void
test_fuzz_random_tokens (void)
{
  const char *vocabulary[] = {
    "and", "or", "not", "in", "not in", "contains", "like", "defined", "(", ")", "[", "]", ",",
    "==", "!=", "<", "<=", ">", ">=", "=~", "true", "false", "dc", "cores", "groups", "nope",
    "memory_gb", "virtual", "name", "ports", "binary", "\"dc1\"", "\"web*\"", "\"^w\"",
    "\"16\"", "\"(\"", "\"\"", "16", "-1", "0.5", "defined(dc)", "defined(nope)",
  };
  guint n_parsed = 0;

  for (guint i = 0; i < 30000; i++)
    {
      guint length = g_test_rand_int_range (1, 16);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint j = 0; j < length; j++)
        {
          if (j > 0 && g_test_rand_int_range (0, 3) > 0)
            g_string_append_c (text, ' ');
          g_string_append (text, vocabulary[g_test_rand_int_range (0, G_N_ELEMENTS (vocabulary))]);
        }

      if (check_any_input (text->str))
        n_parsed++;
    }

  /* The loop must reach the printer and the evaluator, not only errors. */
  g_test_message ("%u of 30000 random token sequences parsed", n_parsed);
  g_assert_cmpuint (n_parsed, >, 300);
}

/* Append a random valid condition to `out`, written with random spacing
 * and redundant parentheses. */
static void
append_random_condition (GString *out, guint depth)
{
  static const char *const comparisons[] = {
    "dc == \"dc1\"", "dc != \"dc2\"", "cores >= 16", "memory_gb < 100.5", "load > 0.25",
    "dc in [\"dc1\", \"dc3\"]", "cores not in [1, 2]", "groups contains \"web\"",
    "name like \"web*\"", "name =~ \"^web[0-9]+$\"", "nope == 1", "nope != 1", "virtual",
    "defined(nope)", "defined(dc)", "true", "false", "monitored == true", "ports contains 22",
    "(dc == \"dc1\") == virtual", "\"16\" == cores", "steps.check.rc == 0",
  };
  const char *space = g_test_rand_int_range (0, 3) == 0 ? "  " : " ";
  guint choice = depth >= 4 ? 0 : g_test_rand_int_range (0, 5);

  switch (choice)
    {
    case 0:
      g_string_append (out, comparisons[g_test_rand_int_range (0, G_N_ELEMENTS (comparisons))]);
      break;
    case 1:
      g_string_append (out, "not ");
      append_random_condition (out, depth + 1);
      break;
    case 2:
    case 3:
      append_random_condition (out, depth + 1);
      g_string_append_printf (out, "%s%s%s", space, choice == 2 ? "and" : "or", space);
      append_random_condition (out, depth + 1);
      break;
    case 4:
      g_string_append_c (out, '(');
      append_random_condition (out, depth + 1);
      g_string_append_c (out, ')');
      break;
    }
}

static void
test_fuzz_random_valid_expressions (void)
{
  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *printed = NULL;

      append_random_condition (text, 0);
      note_expression (text->str);
      g_assert_true (check_any_input (text->str));

      /* Printing may move parentheses but never changes the result. */
      {
        g_autoptr(FleetExpr) expr = parse_or_fail (text->str);
        g_autoptr(FleetExpr) reparsed = NULL;
        Host host = web07 ();
        gboolean before;
        gboolean after;

        printed = fleet_expr_to_string (expr);
        reparsed = parse_or_fail (printed);
        g_assert_true (fleet_expr_eval (expr, lookup_attribute, &host, &before, NULL));
        g_assert_true (fleet_expr_eval (reparsed, lookup_attribute, &host, &after, NULL));
        g_assert_cmpint (before, ==, after);
      }
    }
}

/* A host of the generated inventory below; the values live in the struct
 * while one evaluation runs. */
typedef struct {
  guint index;
  char name[16];
  char cores[8];
  char rack[8];
  const char *dc;
  FleetValue groups[2];
} GeneratedHost;

static void
generated_host_fill (GeneratedHost *host, guint index)
{
  static const char *const dcs[] = { "dc1", "dc2", "dc3" };
  static const guint cores[] = { 4, 8, 16, 32 };

  host->index = index;
  g_snprintf (host->name, sizeof host->name, "%s%05u", index % 5 == 0 ? "db" : "web", index);
  g_snprintf (host->cores, sizeof host->cores, "%u", cores[index % 4]);
  g_snprintf (host->rack, sizeof host->rack, "r%u", index % 13);
  host->dc = dcs[index % 3];
  host->groups[0] = fleet_value_string ("all");
  host->groups[1] = fleet_value_string (index % 2 == 0 ? "prod" : "staging");
}

static gboolean
lookup_generated (const char *name, FleetValue *out, gpointer user_data)
{
  GeneratedHost *host = user_data;

  if (strcmp (name, "name") == 0)
    *out = fleet_value_string (host->name);
  else if (strcmp (name, "dc") == 0)
    *out = fleet_value_string (host->dc);
  else if (strcmp (name, "cores") == 0)
    *out = fleet_value_string (host->cores);
  else if (strcmp (name, "groups") == 0)
    *out = fleet_value_list (host->groups, G_N_ELEMENTS (host->groups));
  else if (strcmp (name, "rack") == 0 && host->index % 7 != 0)
    *out = fleet_value_string (host->rack);
  else
    return FALSE;
  return TRUE;
}

/* One parsed expression evaluated for 100,000 hosts, checked against the
 * same rule written in C. */
static void
test_eval_many_hosts (void)
{
  g_autoptr(FleetExpr) expr = parse_or_fail ("dc in [\"dc1\", \"dc2\"] and cores >= 16 and "
                                             "name =~ \"^web[0-9]+$\" and groups contains "
                                             "\"prod\" and not (rack like \"r1*\")");
  guint n_selected = 0;
  guint n_expected = 0;
  guint n_without_rack = 0;

  for (guint i = 0; i < 100000; i++)
    {
      GeneratedHost host;
      gboolean result;
      gboolean expected;

      generated_host_fill (&host, i);
      g_assert_true (fleet_expr_eval (expr, lookup_generated, &host, &result, NULL));

      /* A host without a rack attribute is never selected: the condition on
       * the rack is unknown, and `not` keeps it unknown. */
      expected = i % 3 != 2 && i % 4 >= 2 && i % 5 != 0 && i % 2 == 0
                 && i % 7 != 0 && !g_str_has_prefix (host.rack, "r1");
      if (i % 3 != 2 && i % 4 >= 2 && i % 5 != 0 && i % 2 == 0 && i % 7 == 0)
        n_without_rack++;

      n_selected += result;
      n_expected += expected;
      if (result != expected)
        g_error ("host %s: selected %d, expected %d", host.name, result, expected);
    }

  g_test_message ("%u of 100000 hosts selected", n_selected);
  g_assert_cmpuint (n_selected, ==, n_expected);
  g_assert_cmpuint (n_selected, >, 0);
  g_assert_cmpuint (n_without_rack, >, 0);
}

static char *
read_doc_section (const char *heading)
{
  g_autofree char *path = g_build_filename (g_getenv ("FLEET_SOURCE_ROOT"), "docs",
                                            "selectors.md", NULL);
  g_autofree char *doc = NULL;
  g_autofree char *marker = g_strdup_printf ("\n## %s\n", heading);
  const char *start;
  const char *end;

  g_assert_true (g_file_get_contents (path, &doc, NULL, NULL));
  start = strstr (doc, marker);
  if (start == NULL)
    g_error ("docs/selectors.md has no section \"## %s\"", heading);
  start += strlen (marker);
  end = strstr (start, "\n## ");
  return end != NULL ? g_strndup (start, end - start) : g_strdup (start);
}

/* Return the lines of the fenced code blocks of `section`. */
static GPtrArray *
code_block_lines (const char *section)
{
  g_auto(GStrv) lines = g_strsplit (section, "\n", -1);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  gboolean inside = FALSE;

  for (char **line = lines; *line != NULL; line++)
    {
      if (g_str_has_prefix (*line, "```"))
        inside = !inside;
      else if (inside)
        g_ptr_array_add (out, g_strdup (*line));
    }
  return out;
}

/* Every line of the example blocks that is not a comment parses. */
static void
test_docs_examples_parse (void)
{
  const char *sections[] = { "A first look", "Examples" };
  guint n_examples = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autofree char *section = read_doc_section (sections[s]);
      g_autoptr(GPtrArray) lines = code_block_lines (section);

      for (guint i = 0; i < lines->len; i++)
        {
          const char *line = lines->pdata[i];
          g_autoptr(FleetExpr) expr = NULL;

          if (*line == '\0' || *line == '#')
            continue;
          expr = parse_or_fail (line);
          n_examples++;
        }
    }
  g_assert_cmpuint (n_examples, >=, 10);
}

/* The documented pairs of an expression and the line after it, which starts
 * with `prefix`, hold: the canonical form or the error message. */
static void
check_doc_pairs (const char *heading, const char *prefix, gboolean errors)
{
  g_autofree char *section = read_doc_section (heading);
  g_autoptr(GPtrArray) lines = code_block_lines (section);
  guint n_pairs = 0;

  for (guint i = 0; i + 1 < lines->len; i++)
    {
      const char *text = lines->pdata[i];
      const char *expected = lines->pdata[i + 1];
      g_autoptr(GError) error = NULL;
      g_autoptr(FleetExpr) expr = NULL;

      if (*text == '\0' || g_str_has_prefix (text, " "))
        continue;
      if (!g_str_has_prefix (expected, prefix))
        g_error ("docs/selectors.md, \"%s\": %s is not followed by a line starting with "
                 "\"%s\"", heading, text, prefix);
      expected += strlen (prefix);

      note_expression (text);
      expr = fleet_expr_parse (text, &error);
      if (errors)
        {
          g_assert_null (expr);
          g_assert_nonnull (error);
          g_assert_cmpstr (error->message, ==, expected);
        }
      else
        {
          g_autofree char *printed = NULL;

          g_assert_no_error (error);
          printed = fleet_expr_to_string (expr);
          g_assert_cmpstr (printed, ==, expected);
        }
      n_pairs++;
    }
  g_assert_cmpuint (n_pairs, >=, 3);
}

static void
test_docs_canonical_forms (void)
{
  check_doc_pairs ("Canonical form", "  => ", FALSE);
}

static void
test_docs_error_messages (void)
{
  check_doc_pairs ("Error messages", "  error: ", TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/expr/eval/equality", test_eval_equality);
  g_test_add_func ("/expr/eval/ordering", test_eval_ordering);
  g_test_add_func ("/expr/eval/membership", test_eval_membership);
  g_test_add_func ("/expr/eval/glob", test_eval_glob);
  g_test_add_func ("/expr/eval/regex", test_eval_regex);
  g_test_add_func ("/expr/eval/conditions", test_eval_conditions);
  g_test_add_func ("/expr/eval/precedence", test_eval_precedence);
  g_test_add_func ("/expr/eval/missing-never-matches", test_eval_missing_never_matches);
  g_test_add_func ("/expr/eval/missing-three-valued", test_eval_missing_three_valued);
  g_test_add_func ("/expr/eval/missing-names-reported", test_eval_missing_names_reported);
  g_test_add_func ("/expr/eval/missing-names-not-duplicated",
                   test_eval_missing_names_not_duplicated);
  g_test_add_func ("/expr/eval/short-circuit", test_eval_short_circuit);
  g_test_add_func ("/expr/eval/error-messages", test_eval_error_messages);
  g_test_add_func ("/expr/eval/literal-list-matches-scan", test_eval_literal_list_matches_scan);
  g_test_add_func ("/expr/eval/many-hosts", test_eval_many_hosts);
  g_test_add_func ("/expr/value/number-text", test_value_number_text);
  g_test_add_func ("/expr/value/number-format", test_value_number_format);
  g_test_add_func ("/expr/value/list-nesting", test_value_list_nesting);
  g_test_add_func ("/expr/print/canonical", test_print_canonical);
  g_test_add_func ("/expr/print/fixed-point", test_print_fixed_point);
  g_test_add_func ("/expr/print/keeps-meaning", test_print_keeps_meaning);
  g_test_add_func ("/expr/parse/errors", test_parse_errors);
  g_test_add_func ("/expr/parse/without-error-pointer", test_parse_without_error_pointer);
  g_test_add_func ("/expr/limits/length", test_limit_length);
  g_test_add_func ("/expr/limits/depth", test_limit_depth);
  g_test_add_func ("/expr/limits/long-chain", test_limit_long_chain);
  g_test_add_func ("/expr/limits/list", test_limit_list);
  g_test_add_func ("/expr/names/collect", test_names_collect);
  g_test_add_func ("/expr/fuzz/random-bytes", test_fuzz_random_bytes);
  g_test_add_func ("/expr/fuzz/random-tokens", test_fuzz_random_tokens);
  g_test_add_func ("/expr/fuzz/random-valid-expressions", test_fuzz_random_valid_expressions);
  g_test_add_func ("/expr/docs/examples-parse", test_docs_examples_parse);
  g_test_add_func ("/expr/docs/canonical-forms", test_docs_canonical_forms);
  g_test_add_func ("/expr/docs/error-messages", test_docs_error_messages);

  return g_test_run ();
}
