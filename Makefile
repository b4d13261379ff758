# SPDX-License-Identifier: GPL-2.0
# xbond: build, test, demo and benchmark from one place. `make help` lists the targets.

OUTPUT ?= .output
# Plain `make` builds everything, whatever rule comes first below.
.DEFAULT_GOAL := all
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

PREFIX ?= /usr/local
# Debian's CNI plugins and podman look in /usr/lib/cni; Kubernetes installers use /opt/cni/bin.
CNI_BINDIRS ?= /usr/lib/cni /opt/cni/bin
VERSION := 0.9-$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
PKGS := libbpf libmnl
# CFLAGS is yours to set or add to (make CFLAGS+=-O0); what the build needs is
# in XB_CFLAGS, so a command-line CFLAGS cannot drop it.
CFLAGS ?= -O2 -g
XB_CFLAGS := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -MMD -MP \
	-I. -Ilib -I$(OUTPUT) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	-DXBOND_SBINDIR='"$(PREFIX)/sbin"'
# SAN=1: AddressSanitizer and UndefinedBehaviorSanitizer in every userspace binary.
ifeq ($(SAN),1)
XB_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
ALL_CFLAGS = $(CFLAGS) $(XB_CFLAGS)
# Objects built with other flags (SAN=1, another CFLAGS) are rebuilt: they
# depend on this file, rewritten whenever the flags differ from last time.
FLAGS_STAMP := $(OUTPUT)/.cflags
ifneq ($(file <$(FLAGS_STAMP)),$(ALL_CFLAGS))
$(shell mkdir -p $(OUTPUT))
$(file >$(FLAGS_STAMP),$(ALL_CFLAGS))
endif
# Only the four mains and the man pages' generator print the version: a new
# commit rebuilds them alone.
VERSION_STAMP := $(OUTPUT)/.version
ifneq ($(file <$(VERSION_STAMP)),$(VERSION))
$(shell mkdir -p $(OUTPUT))
$(file >$(VERSION_STAMP),$(VERSION))
endif
MAIN_OBJS := $(OUTPUT)/loader/xbondload.o $(OUTPUT)/ctl/xbondctl.o \
	$(OUTPUT)/monitor/xbondmon.o $(OUTPUT)/cni/xbond.o $(OUTPUT)/xbond-gendoc
$(MAIN_OBJS): XB_CFLAGS += -DXBOND_VERSION='"$(VERSION)"'
$(MAIN_OBJS): $(VERSION_STAMP)
JSON_CFLAGS = $(shell pkg-config --cflags json-c 2>/dev/null)
JSON_LIBS = $(shell pkg-config --libs json-c 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lelf -lz
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror \
	-Wno-unused-parameter -I. -Ibpf

# Debian packages the build, the tests and the demo need (make deps).
DEB_PKGS := clang libbpf-dev bpftool libmnl-dev libelf-dev zlib1g-dev libjson-c-dev \
	pkg-config iproute2 iperf3 iputils-ping jq procps util-linux containernetworking-plugins \
	podman runc busybox-static libclang-rt-14-dev man-db groff-base \
	systemd ifupdown openvswitch-switch

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_OBJS := $(OUTPUT)/tx_select.bpf.o $(OUTPUT)/rx_filter.bpf.o $(OUTPUT)/empty.bpf.o
SKELS := $(OUTPUT)/tx_select.skel.h $(OUTPUT)/rx_filter.skel.h
LIB_SRCS := lib/log.c lib/names.c lib/nl.c lib/pins.c lib/bond.c lib/links.c lib/monitor_ctl.c \
	lib/attach.c lib/enslave.c lib/member_records.c lib/ops.c lib/options.c lib/lacp_pdu.c
LIB_OBJS := $(patsubst lib/%.c,$(OUTPUT)/lib/%.o,$(LIB_SRCS))
LOADER_SRCS := $(wildcard loader/*.c)
LOADER_OBJS := $(patsubst loader/%.c,$(OUTPUT)/loader/%.o,$(LOADER_SRCS))
TEST_PROGS := $(OUTPUT)/test_prog_run $(OUTPUT)/xbond_abi.sh $(OUTPUT)/lacp_peer
FUZZERS := $(OUTPUT)/fuzz_netlink $(OUTPUT)/fuzz_options $(OUTPUT)/fuzz_cni_conf $(OUTPUT)/fuzz_frames \
	$(OUTPUT)/fuzz_lacpdu
MONITOR_OBJS := $(patsubst monitor/%.c,$(OUTPUT)/monitor/%.o,$(wildcard monitor/*.c))
# The CNI plugin carries the monitor in itself (`xbond monitor`): one file to install.
MONITOR_LIB_OBJS := $(filter-out $(OUTPUT)/monitor/main.o,$(MONITOR_OBJS))
CTL_OBJS := $(patsubst ctl/%.c,$(OUTPUT)/ctl/%.o,$(wildcard ctl/*.c))
CNI_OBJS := $(patsubst cni/%.c,$(OUTPUT)/cni/%.o,$(wildcard cni/*.c))
TOOLS := $(OUTPUT)/xbondload $(OUTPUT)/xbondmon $(OUTPUT)/xbondctl $(OUTPUT)/xbond
# Man pages: man/*.in with the parts that come from the option table filled in.
MAN_PAGES := $(patsubst man/%.in,$(OUTPUT)/man/%,$(wildcard man/*.in))

# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:
.PHONY: all deps test demo bench vmlinux clean help install uninstall fuzz
.SECONDARY: $(BPF_OBJS)
all: $(TOOLS) $(TEST_PROGS) $(FUZZERS) $(MAN_PAGES)

help:
	@echo 'make            build everything into $(OUTPUT)/'
	@echo 'make deps       install the Debian packages the build and tests need'
	@echo 'make test       run selftests/ (BPF_PROG_RUN units and netns integration)'
	@echo 'make demo       bond two netns hosts over two veth links, pull one, keep going'
	@echo 'make bench      every mode against one link: throughput, outages, per-packet cost;'
	@echo '                table, JSON and charts (QUICK=1: under 3 minutes; asserts nothing)'
	@echo 'make bench-peer the kernel'"'"'s bonding, teamd and xbond side by side in a guest'
	@echo '                kernel under QEMU (about 20 minutes); LACP=1 adds 802.3ad: kernel, teamd, xbond'
	@echo 'make test-peer  xbond against the guest kernel'"'"'s bonding driver (under 5 minutes)'
	@echo 'make install    install the tools into $$(PREFIX)/sbin (default /usr/local),'
	@echo '                and the CNI plugin xbond into each of $$(CNI_BINDIRS)'
	@echo '                (default /usr/lib/cni /opt/cni/bin); systemd units, ifupdown hooks,'
	@echo '                man pages, bash completion; DESTDIR=DIR stages it all in DIR'
	@echo 'make uninstall  remove exactly what make install put there'
	@echo 'make vmlinux    regenerate vmlinux.h from /sys/kernel/btf/vmlinux'
	@echo 'make readme-options  rewrite the README blocks that come from lib/options.c'
	@echo 'make clean      remove $(OUTPUT)/'
	@echo 'V=1             show the full commands'

# Idempotent: installs only what is missing, and only needs the network then.
deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null; \
	fi

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h.tmp
	mv vmlinux.h.tmp vmlinux.h

$(OUTPUT) $(OUTPUT)/lib $(OUTPUT)/loader $(OUTPUT)/monitor $(OUTPUT)/ctl $(OUTPUT)/cni $(OUTPUT)/man:
	$(Q)mkdir -p $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/*.h maps/*.h vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/empty.bpf.o: bench/empty.bpf.c vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst .,_,$*)_bpf > $@

$(OUTPUT)/lib/%.o: lib/%.c lib/*.h maps/xbond_abi.h $(SKELS) $(FLAGS_STAMP) | $(OUTPUT)/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/loader/%.o: loader/%.c lib/*.h maps/xbond_abi.h $(FLAGS_STAMP) | $(OUTPUT)/loader
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(OUTPUT)/monitor/%.o: monitor/%.c monitor/*.h lib/*.h maps/xbond_abi.h $(FLAGS_STAMP) | $(OUTPUT)/monitor
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Imonitor -c $< -o $@

$(OUTPUT)/ctl/%.o: ctl/%.c ctl/*.h lib/*.h maps/xbond_abi.h $(FLAGS_STAMP) | $(OUTPUT)/ctl
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Ictl -c $< -o $@

$(OUTPUT)/cni/%.o: cni/%.c cni/*.h lib/*.h maps/xbond_abi.h $(FLAGS_STAMP) | $(OUTPUT)/cni
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(JSON_CFLAGS) -Icni -c $< -o $@

$(OUTPUT)/xbond: $(CNI_OBJS) $(MONITOR_LIB_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) $(JSON_LIBS) -o $@

$(OUTPUT)/xbondctl: $(CTL_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/xbondmon: $(MONITOR_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/xbondload: $(LOADER_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/test_prog_run: selftests/prog_run/*.c selftests/prog_run/*.h $(LIB_OBJS) $(SKELS) | $(OUTPUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -Iselftests/prog_run $(filter %.c,$^) $(LIB_OBJS) $(LDLIBS) -o $@

# The ABI's flags and counters for shell tests: no bare numbers there.
$(OUTPUT)/xbond_abi.sh: selftests/abi_consts.c maps/xbond_abi.h | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< -o $(OUTPUT)/abi_consts && $(OUTPUT)/abi_consts > $@.tmp && mv $@.tmp $@

# A scriptable LACP partner for the shell tests: malformed, silent or flooding at will.
$(OUTPUT)/lacp_peer: selftests/lacp_peer.c lib/lacp_pdu.c lib/lacp_pdu.h maps/xbond_abi.h \
		$(FLAGS_STAMP) | $(OUTPUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(filter %.c,$^) -o $@

$(OUTPUT)/prog_cost: bench/prog_cost.c $(LIB_OBJS) $(SKELS) $(OUTPUT)/empty.skel.h
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIB_OBJS) $(LDLIBS) -o $@

$(OUTPUT)/seqstream: bench/seqstream.c | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< -o $@

# Only make bench needs these; installed the same way as DEB_PKGS.
BENCH_PKGS := gnuplot-nox

# QUICK=1: under 3 minutes, for development. BENCH_ARGS: more bench/run.sh options.
bench: deps
	@missing=$$(for p in $(BENCH_PKGS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "  DEPS     installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/prog_cost $(OUTPUT)/seqstream
	$(Q)bench/run.sh $(if $(QUICK),--quick) $(BENCH_ARGS)

# make bench-peer and make test-peer boot Debian's kernel, which has the bonding
# and team drivers, under QEMU (bench/peer/). These are what they add to DEB_PKGS.
PEER_PKGS := qemu-system-x86 linux-image-amd64 libteam-utils busybox-static cpio

.PHONY: bench-peer test-peer
# Kernel bonding, teamd and xbond side by side in one guest; about 20 minutes.
# LACP=1 adds the 802.3ad rows (kernel against kernel, teamd and xbond); PEER_ARGS: more bench/peer/bench-peer.sh options.
bench-peer: deps
	$(Q)bench/peer/install-deps.sh $(PEER_PKGS)
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/seqstream
	$(Q)bench/peer/bench-peer.sh $(if $(LACP),--lacp) $(PEER_ARGS)

# xbond against the guest kernel's bonding driver, back to back; under 5 minutes.
test-peer: deps
	$(Q)bench/peer/install-deps.sh $(PEER_PKGS)
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/peer/test-peer.sh

# Documentation from the option table (lib/options.c): man pages and README blocks.
$(OUTPUT)/xbond-gendoc: man/gendoc.c $(LIB_OBJS) | $(OUTPUT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $< $(LIB_OBJS) $(LDLIBS) -o $@

$(OUTPUT)/man/%: man/%.in $(OUTPUT)/xbond-gendoc | $(OUTPUT)/man
	$(call msg,GEN,$@)
	$(Q)$(OUTPUT)/xbond-gendoc man $< > $@.tmp && mv $@.tmp $@

.PHONY: readme-options
readme-options: $(OUTPUT)/xbond-gendoc
	$(Q)$(OUTPUT)/xbond-gendoc readme README.md > README.md.tmp && mv README.md.tmp README.md

test: deps
	$(Q)$(MAKE) --no-print-directory -j$(shell nproc) all
	$(Q)selftests/run.sh

# The demo needs the tools alone, not the tests, fuzzers or man pages.
demo: deps
	$(Q)$(MAKE) --no-print-directory -j$(shell nproc) $(TOOLS)
	$(Q)demo/demo.sh

# Where make install puts things (DESTDIR stages them elsewhere). Units go
# where systemd looks for local ones, the ifupdown hooks where ifup runs them.
SBINDIR = $(PREFIX)/sbin
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/xbond
# make install lists each file and directory it made here ("f PATH", "d PATH"),
# so that make uninstall removes exactly those, and no directory it found.
INSTALL_LIST = $(PREFIX)/share/xbond/installed

# put MODE SRC DST installs a file; sub does the same with @SBINDIR@ and @SYSCONFDIR@ filled in.
install: all
	$(Q)set -e; root='$(DESTDIR)'; new=$$(mktemp); mkdir -p "$$root/"; \
	made() { echo "$$1" >>"$$new"; }; \
	dir() { [ "$$1" = / ] || [ -d "$$root$$1" ] && return 0; dir "$$(dirname "$$1")"; \
		mkdir -m 0755 "$$root$$1"; made "d $$1"; }; \
	put() { dir "$$(dirname "$$3")"; install -m "$$1" "$$2" "$$root$$3"; made "f $$3"; \
		[ -n '$(Q)' ] || echo "  INSTALL  $$3"; }; \
	sub() { sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		"$$2" >"$$new.sub"; put "$$1" "$$new.sub" "$$3"; }; \
	for t in xbondload xbondmon xbondctl; do put 0755 $(OUTPUT)/$$t $(SBINDIR)/$$t; done; \
	for d in $(CNI_BINDIRS); do put 0755 $(OUTPUT)/xbond $$d/xbond; done; \
	for u in xbond@ xbondmon@; do sub 0644 systemd/$$u.service.in $(UNITDIR)/$$u.service; done; \
	for h in if-pre-up.d if-post-down.d; do \
		sub 0755 ifupdown/xbond.in $(SYSCONFDIR)/network/$$h/xbond; done; \
	for t in xbondload xbondmon xbondctl; do put 0644 completion/xbond $(COMPLETIONDIR)/$$t; done; \
	for m in $(filter %.5,$(MAN_PAGES)); do put 0644 $$m $(MANDIR)/man5/$${m##*/}; done; \
	for m in $(filter %.8,$(MAN_PAGES)); do put 0644 $$m $(MANDIR)/man8/$${m##*/}; done; \
	put 0644 systemd/xbond0.conf.example $(DOCDIR)/examples/xbond0.conf; \
	put 0644 ifupdown/interfaces.example $(DOCDIR)/examples/interfaces; \
	dir $(SYSCONFDIR)/xbond; \
	dir "$$(dirname '$(INSTALL_LIST)')"; made "f $(INSTALL_LIST)"; \
	{ cat "$$root$(INSTALL_LIST)" 2>/dev/null || true; cat "$$new"; } | sort -u >"$$new.all"; \
	install -m 0644 "$$new.all" "$$root$(INSTALL_LIST)"; \
	rm -f "$$new" "$$new.sub" "$$new.all"; \
	echo "  INSTALL  $$(grep -c '^f ' "$$root$(INSTALL_LIST)") files under $${root:-/}, listed in $(INSTALL_LIST)"

# Files first, then the directories install made, deepest first, if empty.
uninstall:
	$(Q)set -e; root='$(DESTDIR)'; \
	list=$$(cat "$$root$(INSTALL_LIST)" 2>/dev/null) || { \
		echo "uninstall: no $$root$(INSTALL_LIST): nothing installed with this PREFIX" >&2; \
		exit 1; }; \
	printf '%s\n' "$$list" | sed -n 's/^f //p' | while IFS= read -r f; do \
		rm -f "$$root$$f"; [ -n '$(Q)' ] || echo "  RM       $$f"; done; \
	printf '%s\n' "$$list" | sed -n 's/^d //p' | sort -r | while IFS= read -r d; do \
		rmdir "$$root$$d" 2>/dev/null || true; done; \
	echo "  UNINSTALL  what $(INSTALL_LIST) listed, under $${root:-/}"

# libFuzzer harnesses (fuzz/), with ASan and UBSan. make test runs each for a
# few seconds; make fuzz for FUZZ_SECONDS each, from the committed corpora.
FUZZ_SECONDS ?= 300
$(OUTPUT)/fuzz_netlink: fuzz/fuzz_netlink.c lib/nl.c lib/nl.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I. -Ilib $(filter %.c,$^) $(shell pkg-config --libs libmnl) -o $@

$(OUTPUT)/fuzz_lacpdu: fuzz/fuzz_lacpdu.c lib/lacp_pdu.c lib/lacp_pdu.h maps/xbond_abi.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Wall -Wextra -Werror -I. -Ilib $(filter %.c,$^) -o $@

# The other harnesses build the library sources they use with the sanitizers too.
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-missing-field-initializers -I. -Ilib -I$(OUTPUT) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_PROG_RUN := $(addprefix selftests/prog_run/,tx_run.c mapio.c configs.c netns.c \
	packets.c frames.c check.c)
$(OUTPUT)/fuzz_options: fuzz/fuzz_options.c fuzz/options_check.c fuzz/*.h $(LIB_SRCS) lib/*.h \
		maps/xbond_abi.h $(SKELS) | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(filter %.c,$^) $(LDLIBS) -o $@

$(OUTPUT)/fuzz_cni_conf: fuzz/fuzz_cni_conf.c fuzz/options_check.c fuzz/*.h cni/conf.c cni/cni.h \
		$(LIB_SRCS) lib/*.h maps/xbond_abi.h $(SKELS) | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(JSON_CFLAGS) -Icni $(filter %.c,$^) $(LDLIBS) $(JSON_LIBS) -o $@

# Only the library files the BPF_PROG_RUN helpers need.
$(OUTPUT)/fuzz_frames: fuzz/fuzz_frames.c $(FUZZ_PROG_RUN) selftests/prog_run/*.h \
		$(addprefix lib/,log.c names.c nl.c bond.c monitor_ctl.c pins.c links.c) lib/*.h \
		maps/xbond_abi.h $(SKELS) | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -Iselftests/prog_run $(filter %.c,$^) $(LDLIBS) -o $@

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZERS)
	$(Q)fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# Random faults on a live bond under traffic, then its invariants (selftests/net/test_chaos.sh).
# make test runs a short one; CHAOS_EVENTS and CHAOS_SEED (default: random, printed) here.
CHAOS_EVENTS ?= 500
.PHONY: chaos
chaos: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)CHAOS_EVENTS=$(CHAOS_EVENTS) CHAOS_SEED=$(CHAOS_SEED) CHAOS_FULL=1 selftests/run.sh test_chaos.sh

clean:
	rm -rf $(OUTPUT)

# Header dependencies, as the compiler found them (-MMD).
-include $(wildcard $(OUTPUT)/*.d $(OUTPUT)/*/*.d)
