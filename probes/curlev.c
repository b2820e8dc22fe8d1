/* curlev.c - libcurl multi on libevent, after curl's docs/examples/hiperfifo.c. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/event_struct.h>

#include "dnsd/base/log.h"
#include "probes/curlev.h"

struct curlev_xfer {
	CURL               *easy;
	curlev_done_fn     *done;
	void               *arg;
	struct curlev_xfer *prev, *next;
};

struct curlev {
	struct event_base  *base;
	CURLM              *multi;
	struct event       *timer;		/* the one replaceable timer */
	int                 running;
	struct curlev_xfer *xfers;		/* running transfers */
};

/* One watched socket (CURLMOPT_SOCKETDATA / curl_multi_assign). */
struct curlev_sock {
	struct curlev *ce;
	curl_socket_t  fd;
	int            what;
	struct event   ev;
};

static void
curlev_mcode(const char *where, CURLMcode code)
{
	if (code != CURLM_OK && code != CURLM_BAD_SOCKET)
		log_warnx("curl: %s: %s", where, curl_multi_strerror(code));
}

/* Hand finished transfers to their owners; runs outside curl callbacks. */
static void
curlev_check_info(struct curlev *ce)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(ce->multi, &left)) != NULL) {
		struct curlev_xfer *x = NULL;
		CURL *easy;
		CURLcode rc;
		curlev_done_fn *done;
		void *arg;

		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		rc = msg->data.result;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
		curlev_mcode("remove", curl_multi_remove_handle(ce->multi, easy));
		if (x == NULL)
			continue;
		done = x->done;
		arg = x->arg;
		if (x->prev != NULL)
			x->prev->next = x->next;
		else
			ce->xfers = x->next;
		if (x->next != NULL)
			x->next->prev = x->prev;
		free(x);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		done(easy, rc, arg);
	}
}

static void
curlev_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct curlev *ce = arg;
	int action = ((kind & EV_READ) ? CURL_CSELECT_IN : 0) |
	    ((kind & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	curlev_mcode("socket_action",
	    curl_multi_socket_action(ce->multi, fd, action, &ce->running));
	curlev_check_info(ce);
	if (ce->running <= 0 && evtimer_pending(ce->timer, NULL))
		evtimer_del(ce->timer);
}

static void
curlev_timer_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct curlev *ce = arg;

	curlev_mcode("socket_action timeout",
	    curl_multi_socket_action(ce->multi, CURL_SOCKET_TIMEOUT, 0,
	    &ce->running));
	curlev_check_info(ce);
}

/* CURLMOPT_TIMERFUNCTION: replace the one timer. */
static int
curlev_multi_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct curlev *ce = userp;
	struct timeval tv;

	if (timeout_ms < 0) {
		evtimer_del(ce->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	/* timeout 0 means "call socket_action soon": do it from the loop, not
	 * from here (never call curl from inside a curl callback). */
	evtimer_add(ce->timer, &tv);
	return 0;
}

static void
curlev_sock_set(struct curlev_sock *s, curl_socket_t fd, int what)
{
	short kind = ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST;

	if (s->what != 0)
		event_del(&s->ev);
	s->fd = fd;
	s->what = what;
	event_assign(&s->ev, s->ce->base, fd, kind, curlev_event_cb, s->ce);
	event_add(&s->ev, NULL);
}

/* CURLMOPT_SOCKETFUNCTION */
static int
curlev_sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp,
    void *sockp)
{
	struct curlev *ce = userp;
	struct curlev_sock *s = sockp;

	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			if (s->what != 0)
				event_del(&s->ev);
			free(s);
			curl_multi_assign(ce->multi, fd, NULL);
		}
		return 0;
	}
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			log_warnx("curl: out of memory");
			return -1;
		}
		s->ce = ce;
		curl_multi_assign(ce->multi, fd, s);
	}
	curlev_sock_set(s, fd, what);
	return 0;
}

struct curlev *
curlev_new(struct event_base *base)
{
	struct curlev *ce;

	if ((ce = calloc(1, sizeof(*ce))) == NULL)
		goto err;
	ce->base = base;
	if ((ce->multi = curl_multi_init()) == NULL)
		goto err;
	if ((ce->timer = evtimer_new(base, curlev_timer_cb, ce)) == NULL)
		goto err;
	curl_multi_setopt(ce->multi, CURLMOPT_SOCKETFUNCTION, curlev_sock_cb);
	curl_multi_setopt(ce->multi, CURLMOPT_SOCKETDATA, ce);
	curl_multi_setopt(ce->multi, CURLMOPT_TIMERFUNCTION, curlev_multi_timer_cb);
	curl_multi_setopt(ce->multi, CURLMOPT_TIMERDATA, ce);
	return ce;
err:
	log_warnx("curl: cannot set up the multi handle");
	curlev_free(ce);
	return NULL;
}

void
curlev_free(struct curlev *ce)
{
	if (ce == NULL)
		return;
	while (ce->xfers != NULL) {
		CURL *easy = ce->xfers->easy;

		curlev_remove(ce, easy);
		curl_easy_cleanup(easy);
	}
	if (ce->multi != NULL)
		curl_multi_cleanup(ce->multi);
	if (ce->timer != NULL)
		event_free(ce->timer);
	free(ce);
}

int
curlev_add(struct curlev *ce, CURL *easy, curlev_done_fn *done, void *arg)
{
	struct curlev_xfer *x;
	CURLMcode mc;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		log_warnx("curl: out of memory");
		return -1;
	}
	x->easy = easy;
	x->done = done;
	x->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, x);
	if ((mc = curl_multi_add_handle(ce->multi, easy)) != CURLM_OK) {
		curlev_mcode("add", mc);
		curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
		free(x);
		return -1;
	}
	x->next = ce->xfers;
	if (x->next != NULL)
		x->next->prev = x;
	ce->xfers = x;
	return 0;
}

void
curlev_remove(struct curlev *ce, CURL *easy)
{
	struct curlev_xfer *x = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
	curlev_mcode("remove", curl_multi_remove_handle(ce->multi, easy));
	if (x == NULL)
		return;
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		ce->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	free(x);
}
