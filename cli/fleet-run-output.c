/* fleet-run-output.c: host output printed line by line with the host's
 * name; the rules are in fleet-run-output.h. */
#include "cli/fleet-run-output.h"

#include <stdlib.h>

#include "schema/fleet-text.h"

/* Print every line of the file at `path` to `stream` as "HOST: LINE".  A
 * last line without a newline is printed with one. */
static void
print_file (FILE *stream, const char *host, const char *path)
{
  FILE *file = fopen (path, "re");
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;

  if (file == NULL)
    return;

  while ((length = getline (&line, &capacity, file)) > 0)
    {
      g_autofree char *text = NULL;

      if (line[length - 1] == '\n')
        line[length - 1] = '\0';
      text = fleet_escape_for_terminal (line);
      fprintf (stream, "%s: %s\n", host, text);
    }
  free (line);
  fclose (file);
}

void
fleet_run_print_output (FILE *out, FILE *err, const FleetPlan *plan,
                        const FleetRunResult *result, const char *run_dir)
{
  for (guint h = 0; h < result->hosts->len; h++)
    {
      const FleetHostResult *host = g_ptr_array_index (result->hosts, h);
      g_autofree char *name = fleet_escape_for_terminal (host->host->name);
      g_autofree char *directory = g_build_filename (run_dir, "output", host->host->name, NULL);

      for (guint s = 0; s < host->steps->len; s++)
        {
          const FleetStepResult *step = g_ptr_array_index (host->steps, s);
          g_autofree char *stdout_name = g_strdup_printf ("%02u.stdout", s + 1);
          g_autofree char *stderr_name = g_strdup_printf ("%02u.stderr", s + 1);
          g_autofree char *stdout_path = g_build_filename (directory, stdout_name, NULL);
          g_autofree char *stderr_path = g_build_filename (directory, stderr_name, NULL);

          if (!step->started)
            continue;
          print_file (out, name, stdout_path);
          print_file (err, name, stderr_path);
        }
    }
  fflush (out);
  fflush (err);
}
