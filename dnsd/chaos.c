/* chaos.c - CH TXT version.bind / id.server from the config (see chaos.h). */
#include <stdbool.h>
#include <string.h>

#include "dnsd/base/conf.h"
#include "dnsd/base/wire.h"
#include "dnsd/chaos.h"
#include "zones/zone.h"

#define CHAOS_TEXT_MAX 1024

/* \retval true when the query name is a or b (lowercase, no final dot) */
static bool
ch_name(const struct wire_query *q, const char *a, const char *b)
{
	/* lname of "version.bind": \7version\4bind\0 */
	char txt[WIRE_NAME_MAX + 1];
	size_t n = 0;

	for (uint8_t i = 0; i < q->nlabels; i++) {
		const uint8_t *l = q->lname + q->label_off[i];

		if (n + l[0] + 1 >= sizeof(txt))
			return false;
		memcpy(txt + n, l + 1, l[0]);
		n += l[0];
		txt[n++] = '.';
	}
	if (n == 0)
		return false;
	txt[n - 1] = 0;
	return strcmp(txt, a) == 0 || strcmp(txt, b) == 0;
}

enum chaos_result
chaos_answer(const struct conf *conf, const struct wire_query *q,
    uint8_t *resp, size_t limit, size_t *lenp)
{
	const char *text = NULL;
	struct wire_writer w;
	size_t tl, rdpos;

	if (conf != NULL && conf->version_bind != NULL &&
	    ch_name(q, "version.bind", "version.server"))
		text = conf->version_bind;
	else if (conf != NULL && conf->id_server != NULL &&
	    ch_name(q, "id.server", "hostname.bind"))
		text = conf->id_server;
	if (text == NULL)
		return CHAOS_REFUSED;
	if (q->qtype != ZONE_TYPE_TXT && q->qtype != WIRE_TYPE_ANY)
		return CHAOS_NODATA;
	wire_writer_init(&w, resp, limit, *lenp);
	wire_put_ptr(&w, WIRE_HDR_LEN);
	wire_put_u16(&w, ZONE_TYPE_TXT);
	wire_put_u16(&w, WIRE_CLASS_CH);
	wire_put_u32(&w, 0);
	wire_put_u16(&w, 0);
	rdpos = w.len;
	tl = strlen(text);
	if (tl > CHAOS_TEXT_MAX)
		tl = CHAOS_TEXT_MAX;
	for (size_t o = 0; o < tl || o == 0; o += 255) {
		size_t k = tl - o > 255 ? 255 : tl - o;

		wire_put_u8(&w, (uint8_t)k);
		wire_put_bytes(&w, text + o, k);
		if (tl == 0)
			break;
	}
	if (w.overflow)
		return CHAOS_TRUNCATED;
	wire_set16(w.buf + rdpos - 2, (uint16_t)(w.len - rdpos));
	*lenp = w.len;
	return CHAOS_ANSWER;
}
