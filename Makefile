# mxspread: authoritative DNS for a mail subdomain, answers from live SMTP probes.
# Targets: all test layers abuse run deps deps-run deps-bench deps-size asan fuzz
#          bench install uninstall deb clean
#
# The build follows the layers of DESIGN.md, one static library each:
#   layer 0  dnsd/base/   libmxs_base.a    (libconfig)
#   layer 1  zones/       libmxs_zones.a   (+ ldns)
#            probes/      libmxs_probes.a  (+ libevent, curl, openssl, urcu, jansson)
#   layer 2  dnsd/ dnsd/relay/ dnsd/status/  libmxs_dnsd.a
#   layer 3  dnsd/daemon.c dnsd/render.c      libmxs_prog.a, + dnsd/main.c: the program
# A unit test links only the layers it names below (UNIT_LAYERS_<test>) and
# only their external libraries, so a zone test that needed libcurl would
# fail to link. `make layers` checks the include graph (tests/layers.py).

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
CPPFLAGS += -I. -D_GNU_SOURCE
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -pthread -MMD -MP

# External libraries of each layer (pkg-config names; openssl by -l).
PKGS_base   := libconfig
PKGS_zones  := ldns
PKGS_probes := libevent libevent_pthreads libevent_openssl libcurl liburcu jansson
PKGS_dnsd   := libevent libevent_pthreads liburcu jansson
PKGS_ALL    := $(sort $(PKGS_base) $(PKGS_zones) $(PKGS_probes) $(PKGS_dnsd))
EXTRA_base   := -pthread -lm
EXTRA_zones  := -lcrypto
EXTRA_probes := -lssl -lcrypto
EXTRA_dnsd   :=
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS_ALL) 2>/dev/null)
# libs_of LAYERS: the external libraries of those layers, in link order.
libs_of = $(shell pkg-config --libs $(sort $(foreach l,$(1),$(PKGS_$(l)))) 2>/dev/null) \
          $(foreach l,$(1),$(EXTRA_$(l)))

LAYER3_SRCS := dnsd/daemon.c dnsd/render.c dnsd/main.c
MAIN_SRC    := dnsd/main.c
SRCS_base   := $(wildcard dnsd/base/*.c)
SRCS_zones  := $(wildcard zones/*.c)
SRCS_probes := $(wildcard probes/*.c)
SRCS_dnsd   := $(filter-out $(LAYER3_SRCS),$(wildcard dnsd/*.c dnsd/relay/*.c dnsd/status/*.c))
SRCS_prog   := $(filter-out $(MAIN_SRC),$(filter $(LAYER3_SRCS),$(wildcard dnsd/*.c)))
PKGS_prog   :=
EXTRA_prog  :=
LAYERS      := base zones probes dnsd
ALL_LAYERS  := $(LAYERS) prog
# Link order: higher layers first.
LINK_ORDER  := prog dnsd zones probes base
lib_path     = $(BUILD)/libmxs_$(1).a
libs_for     = $(foreach l,$(LINK_ORDER),$(if $(filter $(l),$(1)),$(call lib_path,$(l))))

OBJ_main  := $(MAIN_SRC:%.c=$(BUILD)/%.o)
ALL_OBJS  := $(foreach l,$(ALL_LAYERS),$(SRCS_$(l):%.c=$(BUILD)/%.o)) $(OBJ_main)
BIN       := $(BUILD)/mxspread

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS  := $(wildcard tests/lib/*.c)
TOOL_BINS  := $(TOOL_SRCS:tests/lib/%.c=$(BUILD)/tools/%)
BENCH_BINS := $(BUILD)/bench/probe_bench $(BUILD)/bench/reflector $(BUILD)/bench/dynsign_bench \
              $(BUILD)/bench/psink

# The layers each unit test links (default: everything below the program).
UNIT_LAYERS_test_conf        := base
UNIT_LAYERS_test_diag        := base
UNIT_LAYERS_test_base        := base
UNIT_LAYERS_test_zone        := zones base
UNIT_LAYERS_test_compile     := zones base
UNIT_LAYERS_test_dnssec      := zones base
UNIT_LAYERS_test_probe_parse := probes base
UNIT_LAYERS_test_probe_live  := probes base
UNIT_LAYERS_test_admin       := probes base
UNIT_LAYERS_test_secret      := base
UNIT_LAYERS_test_log         := base
UNIT_LAYERS_test_dashboard   := dnsd base
UNIT_LAYERS_test_reply       := dnsd base
UNIT_LAYERS_test_json        := dnsd probes base
UNIT_LAYERS_test_metrics     := dnsd base
UNIT_LAYERS_test_policy      := dnsd probes base
UNIT_LAYERS_test_proxy       := base
UNIT_LAYERS_test_log         := base
UNIT_LAYERS_test_relay       := dnsd probes base
UNIT_LAYERS_test_render      := prog dnsd zones base
UNIT_LAYERS_test_regress     := prog dnsd zones probes base
unit_layers = $(or $(UNIT_LAYERS_$(1)),$(LAYERS))

# The one version: dnsd/base/version.h (debian/changelog must agree; t_deb
# checks it).
VERSION := $(shell sed -n 's/^\#define MXS_VERSION "\(.*\)"/\1/p' dnsd/base/version.h)
DEB_ARCH = $(shell dpkg --print-architecture 2>/dev/null)
DEB_DIR ?= $(BUILD)/deb

PREFIX  ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/mxspread
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
# Installed in $(DOCDIR)/examples: the demo config and zone, the alert
# rules and their promtool tests.
EXAMPLES := zones/examples/mxspread.conf zones/examples/mail.example.com.zone \
            zones/examples/mxspread-alerts.yml zones/examples/mxspread-alerts.test.yml

.PHONY: all test unit integration layers abuse run deps deps-run deps-bench deps-size \
        asan fuzz bench bench-bins install uninstall deb clean check-deps

all: $(BIN) mxspread

# Convenience link at the top of the tree so the README commands stay short.
mxspread: $(BIN)
	@ln -sf $(BIN) mxspread

$(BUILD)/libmxs_%.a:
	@mkdir -p $(dir $@)
	@rm -f $@
	$(AR) rcs $@ $^

$(foreach l,$(ALL_LAYERS),$(eval $(call lib_path,$(l)): $(SRCS_$(l):%.c=$(BUILD)/%.o)))

$(BIN): $(OBJ_main) $(call libs_for,$(ALL_LAYERS))
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ_main) $(call libs_for,$(ALL_LAYERS)) $(call libs_of,$(ALL_LAYERS))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# Unit tests: each links only its own layers and their libraries.
define unit_rule
$(BUILD)/tests/$(1): tests/unit/$(1).c $(call libs_for,$(call unit_layers,$(1)))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) $$(ALL_CFLAGS) $$(PKG_CFLAGS) $$(LDFLAGS) -o $$@ $$< \
	    $(call libs_for,$(call unit_layers,$(1))) \
	    $$(call libs_of,$(call unit_layers,$(1))) $$(shell pkg-config --libs cmocka)
endef
$(foreach t,$(UNIT_SRCS:tests/unit/%.c=%),$(eval $(call unit_rule,$(t))))

$(BUILD)/tools/%: tests/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Benchmark programs: built by `make test` too, so they cannot rot.
$(BUILD)/bench/probe_bench: tests/bench/probe_bench.c $(call libs_for,probes base)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(call libs_for,probes base) $(call libs_of,probes base)

$(BUILD)/bench/dynsign_bench: tests/bench/dynsign_bench.c $(call libs_for,$(LAYERS))
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PKG_CFLAGS) $(LDFLAGS) -o $@ $< \
	    $(call libs_for,$(LAYERS)) $(call libs_of,$(LAYERS))

$(BUILD)/bench/reflector: tests/bench/reflector.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/bench/psink: tests/bench/psink.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

bench-bins: $(BENCH_BINS)

# The include graph: every #include points down the layers (DESIGN.md).
layers:
	@python3 tests/layers.py

# Debian packages, installed only when missing, no service started
# (tests/deps.sh): deps-run builds and runs the demo; deps adds what
# make test, asan and fuzz need; deps-bench adds the benchmark peers.
# deps-size prints what each set downloads on a fresh Debian 12.
deps-run:
	@sh tests/deps.sh run

deps:
	@sh tests/deps.sh test

deps-bench:
	@sh tests/deps.sh bench

deps-size:
	@sh tests/deps-size.sh

test: deps
	@$(MAKE) --no-print-directory layers
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(TOOL_BINS) $(BENCH_BINS)
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

run: deps-run
	@$(MAKE) --no-print-directory all
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
bench: deps-bench
	@$(MAKE) --no-print-directory all $(TOOL_BINS) $(BENCH_BINS)
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
	install -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	sed 's|/usr/sbin/mxspread|$(SBINDIR)/mxspread|g' dnsd/mxspread.service \
	    > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mxspread.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mxspread.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mxspread \
	    $(DESTDIR)$(MANDIR)/man8/mxspread.8 \
	    $(DESTDIR)$(MANDIR)/man5/mxspread.conf.5 \
	    $(EXAMPLES:zones/examples/%=$(DESTDIR)$(DOCDIR)/examples/%) \
	    $(DESTDIR)$(DOCDIR)/README.md \
	    $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mxspread.service
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

# deb: $(DEB_DIR)/mxspread_$(VERSION)_$(DEB_ARCH).deb with dpkg-buildpackage
# (debian/, debhelper), built from a copy of the tree so that nothing lands
# beside it; then lintian, which must report no error.
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
	    { echo "deb: needs dpkg-dev and debhelper (make deps)"; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/mxspread-$(VERSION)
	tar --exclude=./.git --exclude='./build' --exclude='./build-*' \
	    --exclude='./$(BUILD)' --exclude=./mxspread -cf - . | \
	    tar -xf - -C $(DEB_DIR)/mxspread-$(VERSION)
	# Without this make's variables (make asan's CFLAGS, BUILD): the
	# package always builds with Debian's flags.
	cd $(DEB_DIR)/mxspread-$(VERSION) && \
	    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CFLAGS -u LDFLAGS -u BUILD \
	    DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
	    dpkg-buildpackage -us -uc -b > ../build.log 2>&1 || \
	    { tail -40 ../build.log; exit 1; }
	@test -f $(DEB_DIR)/mxspread_$(VERSION)_$(DEB_ARCH).deb
	@if command -v lintian >/dev/null; then \
	    lintian --fail-on error --tag-display-limit 0 \
	        $(DEB_DIR)/mxspread_$(VERSION)_$(DEB_ARCH).changes; \
	else echo "deb: lintian not installed, package not checked"; fi
	@echo "deb: $(DEB_DIR)/mxspread_$(VERSION)_$(DEB_ARCH).deb"

clean:
	rm -rf build build-asan build-fuzz mxspread

-include $(ALL_OBJS:.o=.d) $(UNIT_BINS:%=%.d) $(BENCH_BINS:%=%.d)
