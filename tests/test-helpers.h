/* test-helpers.h: files, directories and programs as every test program
 * uses them.
 *
 * Each helper aborts the test with the reason when the file system or a
 * program fails it, so tests read as their steps.  Returned strings are
 * owned by the caller and freed with g_free.  Every test program links this
 * module (tests/meson.build).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Return a new directory under the system's temporary directory, named
 * from `name_template` ("fleet-cli-XXXXXX"). */
char *fleet_test_make_dir (const char *name_template);

/* Remove `path` and everything below it, making each directory writable
 * first.  Symbolic links are removed, not followed, and a missing `path` is
 * no error. */
void fleet_test_remove_tree (const char *path);

/* Write `contents` (`length` bytes, or up to its NUL for -1) to `path`. */
void fleet_test_write_file (const char *path, const char *contents, gssize length);

/* Write `contents` (up to its NUL) to `name` in `directory`, creating the
 * directories that `name` names first, and return the file's path. */
char *fleet_test_write_file_in (const char *directory, const char *name, const char *contents);

/* Return the contents of the file at `path`. */
char *fleet_test_read_file (const char *path);

/* Return the bytes of the file at `path`. */
GBytes *fleet_test_read_bytes (const char *path);

/* Return the source tree path of `relative`. */
char *fleet_test_source_path (const char *relative);

/* Return the path of the built program `name` in cli/ ("fleetc",
 * "fleet-run"). */
char *fleet_test_program (const char *name);

/* Run `argv` to completion, capturing output (NULL out-parameters discard
 * it, because printed output would corrupt the TAP stream).  Returns the
 * exit status, or 128 + the signal number. */
int fleet_test_spawn (const char * const *argv, char **out_stdout, char **out_stderr);

/* Run the built program `name` (fleet_test_program) with the arguments
 * `args` (NULL-terminated) as fleet_test_spawn does. */
int fleet_test_run_program (const char *name, const char * const *args, char **out_stdout,
                            char **out_stderr);

/* Run the built program `name` as fleet_test_run_program does, with the
 * settings of `environment` ("NAME=VALUE", NULL-terminated, or NULL) added
 * to the test's environment. */
int fleet_test_run_program_with_env (const char *name, const char * const *environment,
                                     const char * const *args, char **out_stdout,
                                     char **out_stderr);

/* A test fixture that is one temporary directory, for g_test_add: a test
 * program whose Fixture needs nothing else writes `typedef FleetTestDir
 * Fixture;`.  The directory is named after the test program and removed,
 * with everything in it, after the test. */
typedef struct {
  char *dir;
} FleetTestDir;

void fleet_test_dir_set_up (FleetTestDir *fixture, gconstpointer data);
void fleet_test_dir_tear_down (FleetTestDir *fixture, gconstpointer data);

/* Return the path of `name` in the fixture's directory. */
char *fleet_test_dir_path (const FleetTestDir *fixture, const char *name);

G_END_DECLS
