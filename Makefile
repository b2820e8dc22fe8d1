# mxspread: authoritative DNS for a mail subdomain, answers from live SMTP probes.
# Targets: all test abuse run deps asan fuzz bench install uninstall clean

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wno-unused-parameter
ifeq ($(CI),true)
WARN    += -Werror
endif
ifeq ($(WERROR),1)
WARN    += -Werror
endif

BUILD   ?= build
PKGS    := ldns libevent libevent_pthreads libevent_openssl libcurl libconfig liburcu jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -I. -D_GNU_SOURCE
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(PKG_CFLAGS) -pthread -MMD -MP
LDLIBS  += $(PKG_LIBS) -lssl -lcrypto -pthread -lm

SRCS     := $(wildcard dnsd/*.c probes/*.c zones/*.c)
OBJS     := $(SRCS:%.c=$(BUILD)/%.o)
LIB_OBJS := $(filter-out $(BUILD)/dnsd/main.o,$(OBJS))
BIN      := $(BUILD)/mxspread

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS  := $(wildcard tests/lib/*.c)
TOOL_BINS  := $(TOOL_SRCS:tests/lib/%.c=$(BUILD)/tools/%)

PREFIX  ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/mxspread
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system

.PHONY: all test unit integration abuse run deps asan fuzz bench install uninstall clean check-deps

all: $(BIN) mxspread

# Convenience link at the top of the tree so the README commands stay short.
mxspread: $(BIN)
	@ln -sf $(BIN) mxspread

$(BIN): $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/tools/%: tests/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

# deps: Debian packages for build and tests, installed only when missing.
deps:
	@sh tests/deps.sh

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(TOOL_BINS)
	@sh tests/run.sh $(BUILD)

unit: all $(UNIT_BINS)
	@sh tests/run.sh $(BUILD) unit

integration: all $(TOOL_BINS)
	@sh tests/run.sh $(BUILD) integration

# Attacks (slowloris on DNS/TCP, relay, status; floods; RRL) against a
# loopback daemon, each asserting a normal client is still served; prints
# the figures. Also part of `make test`.
abuse: all
	@sh tests/abuse/run.sh $(BUILD)

run: deps all
	@sh tests/demo.sh $(BUILD)

# Whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" all-asan

all-asan: all $(UNIT_BINS) $(TOOL_BINS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    sh tests/run.sh $(BUILD)

# libFuzzer harnesses (clang, ASan + UBSan) in build-fuzz/, each run for
# FUZZ_SECONDS; seeds in tests/fuzz/corpus/ (see tests/fuzz/run.sh).
FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

# Benchmarks print figures; they never assert timings.
bench: all $(TOOL_BINS)
	@sh tests/bench/dns.sh $(BUILD)
	@sh tests/bench/probes.sh $(BUILD)
	@sh tests/bench/relay.sh $(BUILD)

# install: binary, man pages, examples, systemd unit. The unit goes to
# $(SYSTEMD_UNIT_DIR) (Debian: make install PREFIX=/usr, or set
# SYSTEMD_UNIT_DIR=/lib/systemd/system); its ExecStart names $(SBINDIR).
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR)/examples \
	    $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	install -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/mxspread
	install -m 0644 dnsd/mxspread.8 $(DESTDIR)$(MANDIR)/man8/mxspread.8
	install -m 0644 dnsd/mxspread.conf.5 $(DESTDIR)$(MANDIR)/man5/mxspread.conf.5
	install -m 0644 zones/examples/mxspread.conf \
	    zones/examples/mail.example.com.zone $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	sed 's|/usr/sbin/mxspread|$(SBINDIR)/mxspread|g' dnsd/mxspread.service \
	    > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mxspread.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mxspread.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mxspread \
	    $(DESTDIR)$(MANDIR)/man8/mxspread.8 \
	    $(DESTDIR)$(MANDIR)/man5/mxspread.conf.5 \
	    $(DESTDIR)$(DOCDIR)/examples/mxspread.conf \
	    $(DESTDIR)$(DOCDIR)/examples/mail.example.com.zone \
	    $(DESTDIR)$(DOCDIR)/README.md \
	    $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mxspread.service
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-asan build-fuzz mxspread

-include $(OBJS:.o=.d) $(UNIT_BINS:%=%.d)
