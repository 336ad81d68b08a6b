/* fleet-http-check.h: one HTTP GET through libcurl for a validation check.
 *
 * Only http:// and https:// are allowed, redirects are not followed (a
 * monitoring endpoint that redirects is reported with its 3xx status), and
 * certificates are verified against the system's CA store.  The call
 * blocks for at most `timeout_ms`.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes of a response body kept for the checks' matching. */
#define FLEET_HTTP_BODY_MAX_BYTES (1024u * 1024)

#define FLEET_HTTP_CHECK_ERROR (fleet_http_check_error_quark ())

typedef enum {
  FLEET_HTTP_CHECK_ERROR_FAILED,   /* no response: connect, TLS or timeout */
} FleetHttpCheckError;

GQuark fleet_http_check_error_quark (void);

/* GET `url`.  On a response, whatever its status, stores the status in
 * `out_status` and the first FLEET_HTTP_BODY_MAX_BYTES of the body in
 * `body` and returns TRUE; without one, returns FALSE with libcurl's
 * message in `error`. */
gboolean fleet_http_get (const char *url, guint64 timeout_ms, long *out_status, GString *body,
                         GError **error);

G_END_DECLS
