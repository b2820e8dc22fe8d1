/* http.c - the http probe: GET through libcurl multi, 2xx = up, optional load value. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "probes/check.h"
#include "probes/curlev.h"

#define HTTP_BODY_MAX (64 * 1024)
#define HTTP_URL_MAX  1024

int
http_url_expand(const char *tmpl, const char *addr, uint16_t port,
    const char *name, char *out, size_t outlen)
{
	size_t o = 0;
	const char *p;
	char portbuf[8];

	snprintf(portbuf, sizeof(portbuf), "%u", (unsigned)port);
	for (p = tmpl; *p != '\0'; ) {
		const char *sub = NULL;
		bool br = false;
		size_t skip = 0, n;

		if (strncmp(p, "{addr}", 6) == 0) {
			sub = addr;
			br = strchr(addr, ':') != NULL;
			skip = 6;
		} else if (strncmp(p, "{port}", 6) == 0) {
			sub = portbuf;
			skip = 6;
		} else if (strncmp(p, "{name}", 6) == 0) {
			sub = name;
			skip = 6;
		}
		if (sub == NULL) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *p++;
			continue;
		}
		n = strlen(sub) + (br ? 2 : 0);
		if (o + n >= outlen)
			return -1;
		o += (size_t)snprintf(out + o, outlen - o, br ? "[%s]" : "%s", sub);
		p += skip;
	}
	if (o >= outlen)
		return -1;
	out[o] = '\0';
	return 0;
}

/* A number, optionally surrounded by blanks; pct: "%" required after it. */
static int
http_parse_number(const char *s, size_t len, bool pct, double *out)
{
	char buf[64], *end;
	double v;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (pct) {
		if (len == 0 || s[len - 1] != '%')
			return -1;
		len--;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

/* Prometheus text format: first sample of metric "key" (any labels). */
static int
http_parse_prometheus(const char *body, size_t len, const char *key,
    double *out)
{
	const char *p = body, *end = body + len;
	size_t klen = strlen(key);

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q;

		if (eol == NULL)
			eol = end;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q < eol && *q != '#' && (size_t)(eol - q) > klen &&
		    memcmp(q, key, klen) == 0 &&
		    (q[klen] == ' ' || q[klen] == '\t' || q[klen] == '{')) {
			const char *v = q + klen, *ve;

			if (*v == '{') {
				/* skip labels; values may hold '}' only quoted */
				bool quoted = false;

				for (v++; v < eol; v++) {
					if (*v == '\\' && quoted && v + 1 < eol)
						v++;
					else if (*v == '"')
						quoted = !quoted;
					else if (*v == '}' && !quoted)
						break;
				}
				if (v >= eol)
					return -1;
				v++;
			}
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			ve = v;
			while (ve < eol && !isspace((unsigned char)*ve))
				ve++;
			return http_parse_number(v, (size_t)(ve - v), false, out);
		}
		p = eol + 1;
	}
	return -1;
}

/* RFC 6901 JSON pointer. */
static json_t *
http_json_pointer(json_t *root, const char *ptr)
{
	char tok[256];
	json_t *cur = root;

	if (*ptr == '\0')
		return root;
	if (*ptr != '/')
		return NULL;
	while (*ptr == '/' && cur != NULL) {
		size_t n = 0;

		ptr++;
		while (*ptr != '\0' && *ptr != '/') {
			char c = *ptr++;

			if (c == '~') {
				if (*ptr == '0')
					c = '~';
				else if (*ptr == '1')
					c = '/';
				else
					return NULL;
				ptr++;
			}
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok);
		} else if (json_is_array(cur)) {
			char *end;
			unsigned long i;

			if (n == 0 || (n > 1 && tok[0] == '0') ||
			    !isdigit((unsigned char)tok[0]))
				return NULL;
			i = strtoul(tok, &end, 10);
			if (*end != '\0')
				return NULL;
			cur = json_array_get(cur, i);
		} else {
			return NULL;
		}
	}
	return cur;
}

int
http_load_parse(const char *body, size_t len, enum conf_load_format fmt,
    const char *key, double *out, char *err, size_t errlen)
{
	json_t *root, *v;
	json_error_t jerr;
	int rc = -1;

	switch (fmt) {
	case CONF_LOAD_NONE:
		snprintf(err, errlen, "no load format");
		return -1;
	case CONF_LOAD_NUMBER:
		if (http_parse_number(body, len, false, out) == 0)
			return 0;
		snprintf(err, errlen, "body is not a number");
		return -1;
	case CONF_LOAD_PERCENT:
		if (http_parse_number(body, len, true, out) == 0)
			return 0;
		snprintf(err, errlen, "body is not NN%%");
		return -1;
	case CONF_LOAD_PROMETHEUS:
		if (key != NULL && http_parse_prometheus(body, len, key, out) == 0)
			return 0;
		snprintf(err, errlen, "metric %.40s not found",
		    key ? key : "(none)");
		return -1;
	case CONF_LOAD_JSON:
		if ((root = json_loadb(body, len, JSON_DECODE_ANY, &jerr)) == NULL) {
			snprintf(err, errlen, "invalid JSON: %.50s", jerr.text);
			return -1;
		}
		v = http_json_pointer(root, key ? key : "");
		if (v == NULL) {
			snprintf(err, errlen, "JSON pointer %.40s not found",
			    key ? key : "");
		} else if (json_is_number(v) && json_number_value(v) >= 0) {
			*out = json_number_value(v);
			rc = 0;
		} else if (json_is_string(v) && http_parse_number(
		    json_string_value(v), json_string_length(v), false, out) == 0) {
			rc = 0;
		} else {
			snprintf(err, errlen, "JSON value at %.40s is not a number",
			    key ? key : "");
		}
		json_decref(root);
		return rc;
	}
	snprintf(err, errlen, "unknown load format");
	return -1;
}

struct http_check {
	CURL          *easy;
	struct curlev *cev;
	const struct conf_probe *cp;
	char          *body;
	size_t         len;
	bool           truncated;
	int            sock_errno;	/* why the last socket() failed; 0 ok */
	check_done_fn *done;
	void          *arg;
	char           errbuf[CURL_ERROR_SIZE];
};

static size_t
http_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_check *h = arg;
	size_t n = size * nmemb, take = n;

	if (h->len + take > HTTP_BODY_MAX) {
		take = HTTP_BODY_MAX - h->len;
		h->truncated = true;
	}
	if (take > 0) {
		memcpy(h->body + h->len, data, take);
		h->len += take;
	}
	return n;
}

/* curl reports a socket() that failed as "couldn't connect", which reads
 * as the server's fault: open it here to learn why (EMFILE is ours). */
static curl_socket_t
http_open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct http_check *h = arg;
	int fd;

	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	h->sock_errno = fd == -1 ? errno : 0;
	return fd == -1 ? CURL_SOCKET_BAD : fd;
}

static void
http_free(struct http_check *h)
{
	curl_easy_cleanup(h->easy);
	free(h->body);
	free(h);
}

static void
http_done_cb(CURL *easy, CURLcode rc, void *arg)
{
	struct http_check *h = arg;
	struct check_result r;
	check_done_fn *done = h->done;
	void *darg = h->arg;
	long status = 0;

	check_result_init(&r);
	if (rc != CURLE_OK) {
		if (h->sock_errno != 0) {
			check_fail(&r, "cannot open a socket: %s",
			    check_errno_text(h->sock_errno));
			r.local = check_errno_local(h->sock_errno);
		} else if (rc == CURLE_OUT_OF_MEMORY) {
			check_fail(&r, "%s", curl_easy_strerror(rc));
			r.local = true;
		} else if (rc == CURLE_COULDNT_CONNECT)
			check_fail(&r, "connection refused");
		else
			check_fail(&r, "%s", h->errbuf[0] ? h->errbuf :
			    curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		check_fail(&r, "HTTP status %ld", status);
		goto out;
	}
	r.ok = true;
	if (h->cp->load_format != CONF_LOAD_NONE) {
		char err[80];

		if (http_load_parse(h->body, h->len, h->cp->load_format,
		    h->cp->load_key, &r.load, err, sizeof(err)) == 0) {
			r.has_load = true;
		} else {
			/* up, but the load is unknown: say why */
			snprintf(r.reason, sizeof(r.reason), "load: %s", err);
		}
	}
out:
	http_free(h);
	done(darg, &r);
}

static void *
http_start(struct check_req *req)
{
	struct http_check *h;
	char url[HTTP_URL_MAX];
	const char *tmpl = req->cp->url ? req->cp->url : "http://{addr}:{port}/";
	long tmo_ms = (long)(req->cp->timeout * 1000) + 100;

	if (http_url_expand(tmpl, req->addr_text, req->port, req->name, url,
	    sizeof(url)) == -1) {
		snprintf(req->err, sizeof(req->err), "URL too long");
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->body = malloc(HTTP_BODY_MAX + 1)) == NULL ||
	    (h->easy = curl_easy_init()) == NULL) {
		if (h != NULL)
			free(h->body);
		free(h);
		snprintf(req->err, sizeof(req->err), "out of memory");
		req->err_local = true;
		return NULL;
	}
	h->cev = req->cev;
	h->cp = req->cp;
	h->done = req->done;
	h->arg = req->arg;
	curl_easy_setopt(h->easy, CURLOPT_URL, url);
	curl_easy_setopt(h->easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(h->easy, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, tmo_ms);
	curl_easy_setopt(h->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->easy, CURLOPT_USERAGENT, "mxspread-probe");
	curl_easy_setopt(h->easy, CURLOPT_FORBID_REUSE, 1L);
	/* never ask a proxy: probes go straight to the server */
	curl_easy_setopt(h->easy, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h->easy, CURLOPT_OPENSOCKETFUNCTION, http_open_cb);
	curl_easy_setopt(h->easy, CURLOPT_OPENSOCKETDATA, h);
	if (curlev_add(h->cev, h->easy, http_done_cb, h) == -1) {
		http_free(h);
		/* curlev_add fails only for want of memory (logged) */
		snprintf(req->err, sizeof(req->err), "cannot start the transfer");
		req->err_local = true;
		return NULL;
	}
	return h;
}

static void
http_cancel(void *hp, char *why, size_t len)
{
	struct http_check *h = hp;

	curlev_remove(h->cev, h->easy);
	snprintf(why, len, h->len ? "reading the response" :
	    "waiting for the response");
	http_free(h);
}

const struct check_ops check_http_ops = { "http", http_start, http_cancel };
