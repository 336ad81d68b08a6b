/* fleet-http-check.c: one HTTP GET through libcurl. */
#include "runtime/fleet-http-check.h"

#include <curl/curl.h>

G_DEFINE_QUARK (fleet-http-check-error-quark, fleet_http_check_error)

/* Keep the start of the body and drop the rest, so a flood costs bounded
 * memory while the transfer still completes. */
static size_t
on_body (char *data, size_t size, size_t count, void *user_data)
{
  GString *body = user_data;
  gsize length = size * count;
  gsize room = FLEET_HTTP_BODY_MAX_BYTES - MIN (body->len, FLEET_HTTP_BODY_MAX_BYTES);

  g_string_append_len (body, data, MIN (length, room));
  return length;
}

static gsize curl_initialized;

gboolean
fleet_http_get (const char *url, guint64 timeout_ms, long *out_status, GString *body,
                GError **error)
{
  CURL *curl;
  CURLcode code;
  char message[CURL_ERROR_SIZE] = "";
  long status = 0;

  if (g_once_init_enter (&curl_initialized))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&curl_initialized, 1);
    }

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_set_error (error, FLEET_HTTP_CHECK_ERROR, FLEET_HTTP_CHECK_ERROR_FAILED,
                   "GET %s failed: libcurl could not start a transfer", url);
      return FALSE;
    }

  g_string_truncate (body, 0);
  curl_easy_setopt (curl, CURLOPT_URL, url);
  curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) MIN (timeout_ms, (guint64) G_MAXLONG));
  curl_easy_setopt (curl, CURLOPT_USERAGENT, "fleet-run");
  curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt (curl, CURLOPT_ERRORBUFFER, message);

  code = curl_easy_perform (curl);
  if (code == CURLE_OK)
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (curl);

  if (code != CURLE_OK)
    {
      g_set_error (error, FLEET_HTTP_CHECK_ERROR, FLEET_HTTP_CHECK_ERROR_FAILED,
                   "GET %s failed: %s", url, message[0] != '\0' ? message
                                                                : curl_easy_strerror (code));
      return FALSE;
    }

  *out_status = status;
  return TRUE;
}
