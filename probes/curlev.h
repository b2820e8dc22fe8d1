/* curlev.h - the libcurl multi interface on a libevent base (hiperfifo.c).
 *
 * The one place where curl meets libevent: sockets curl wants watched get
 * an event each (CURLMOPT_SOCKETFUNCTION), curl's timeout is one
 * replaceable timer (CURLMOPT_TIMERFUNCTION), finished transfers are found
 * with curl_multi_info_read after curl_multi_socket_action returns and
 * handed to their owner through the CURLINFO_PRIVATE back-pointer.
 * Completion callbacks never run inside a curl callback, so they may add
 * and remove transfers. CURLM errors are logged, never fatal.
 */
#ifndef MXS_CURLEV_H
#define MXS_CURLEV_H

#include <curl/curl.h>

struct event_base;
struct curlev;

/* Called once per finished transfer; the easy handle has been removed
 * from the multi handle and belongs to the callee again. */
typedef void curlev_done_fn(CURL *easy, CURLcode rc, void *arg);

/* \retval ctx  caller owns (curlev_free)  \retval NULL  error logged */
struct curlev *curlev_new(struct event_base *base);

/* Remove every transfer still running (no callbacks), free. */
void curlev_free(struct curlev *ce);

/* Start a transfer. \retval 0 ok, -1 error logged */
int curlev_add(struct curlev *ce, CURL *easy, curlev_done_fn *done, void *arg);

/* Abort a running transfer; its done callback will not run. The easy
 * handle belongs to the caller again. */
void curlev_remove(struct curlev *ce, CURL *easy);

#endif
