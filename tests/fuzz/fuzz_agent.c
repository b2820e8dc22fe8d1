/* fuzz_agent.c - libFuzzer harness: one HAProxy agent-check reply line through agent_parse. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probes/check.h"
#include "tests/fuzz/fuzz.h"

/*
 * The input is the bytes the agent sent; the probe hands agent_parse the
 * first line, NUL-terminated, without CR/LF, so the harness does the same
 * (the rest of the input is a second line, parsed too).
 */
int
fuzz_agent_init(void)
{
	return 0;
}

static void
fa_line(const char *line)
{
	struct agent_reply rep;

	if (agent_parse(line, &rep) == 0) {
		FUZZ_CHECK(memchr(rep.comment, '\0', sizeof(rep.comment)) != NULL);
		if (rep.has_load)
			FUZZ_CHECK(rep.load >= 0 && rep.load <= 100);
		FUZZ_CHECK(rep.state >= -1 && rep.state <= 1);
		FUZZ_CHECK(rep.admin >= CHECK_AGENT_NONE &&
		    rep.admin <= CHECK_AGENT_MAINT);
	}
}

int
fuzz_agent_one(const uint8_t *data, size_t size)
{
	char *buf;
	size_t n;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	n = strcspn(buf, "\r\n");
	if (buf[n] != '\0') {
		buf[n] = '\0';
		fa_line(buf);
		fa_line(buf + n + 1);
	} else
		fa_line(buf);
	free(buf);
	return 0;
}

FUZZ_ENTRY(fuzz_agent_init, fuzz_agent_one)
