# TLSInterop — two commands on a fresh Debian bookworm machine: `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
# make run's own build (scratch path below); make test builds in .build.
RUN_SCRATCH := .build-run
BIN := $(RUN_SCRATCH)/debug/tls-interop
REPORTS := reports

.PHONY: all deps endpoints build run test bench openssl-3.5 gnutls-3.8 run-3.5 run-versions test-3.5 quic run-quic test-quic certs clean

all: build

deps:
	@scripts/install-deps.sh

# The real servers and clients of the external modes (fixtures/endpoints/): curl, wget and python3 installed;
# lighttpd (mod-openssl, mod-gnutls) and nginx unpacked into .deps/endpoints, never installed as services.
endpoints:
	@scripts/install-deps.sh --endpoints

# Debug with the Swift runtime linked in: fastest from a fresh clone and warm (each peer process skips loading and
# binding the Swift libraries); measured in the README. Its own scratch path: relinking .build's dynamic objects
# statically fails in SwiftPM, and make test keeps .build.
build: deps
	$(SWIFT) build --product tls-interop --static-swift-stdlib --scratch-path $(RUN_SCRATCH)

# Builds, runs the default matrix, prints the summary and writes reports/ (RUN_ARGS: more run options, e.g.
# RUN_ARGS="--baseline base/results.json").
run: build endpoints
	@mkdir -p $(REPORTS)
	$(BIN) run --reports $(REPORTS) $(RUN_ARGS)

test: deps endpoints
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Benchmarks of what make run runs (its build, its cells): cell cost against the libraries alone, bulk transfers,
# --jobs 1 vs 2, processes, DTLS timers.
bench: build
	$(SWIFT) build --product tls-interop-bench --static-swift-stdlib --scratch-path $(RUN_SCRATCH)
	@mkdir -p $(REPORTS)
	$(RUN_SCRATCH)/debug/tls-interop-bench

# OpenSSL 3.5 from Debian trixie's source package into .deps/openssl-3.5 (about two minutes on two cores, once).
# The same harness binary runs against it (`run --build openssl=.deps/openssl-3.5`): both libraries keep one soname
# across 3.x and the backends look up newer calls at run time; a harness compiled against 3.5 gave the same
# results cell for cell (README).
OPENSSL35 := $(CURDIR)/.deps/openssl-3.5
openssl-3.5: deps
	scripts/build-from-debian-source.sh openssl 3.5

# GnuTLS 3.8 (and the nettle 3.10 it needs) from Debian trixie's source packages into .deps/gnutls-3.8 (about ten
# minutes on two cores, once); `run --build gnutls=.deps/gnutls-3.8`.
gnutls-3.8: deps
	scripts/build-from-debian-source.sh gnutls 3.8

# The default matrix on OpenSSL 3.0 (reports/) and on 3.5 (reports/openssl-3.5/), both against the system GnuTLS,
# then one comparison with the version as a dimension (reports/versions/): every cell whose outcome changed.
run-3.5: openssl-3.5 build
	@mkdir -p $(REPORTS)/openssl-3.5 $(REPORTS)/versions $(REPORTS)/builds
	-$(BIN) run --reports $(REPORTS)
	-$(BIN) run --build openssl=.deps/openssl-3.5 --reports $(REPORTS)/openssl-3.5 --baseline $(REPORTS)/results.json
	$(BIN) versions $(REPORTS)/results.json $(REPORTS)/openssl-3.5/results.json --reports $(REPORTS)/versions

# The version matrix: OpenSSL {3.0 system, 3.5} × GnuTLS {3.7 system, 3.8}, one run per pair of builds
# (reports/builds/), then one report with the builds as dimensions (reports/versions/). A run with failures does
# not stop the others; the comparison's exit status says whether any run failed.
BUILD_RUNS := openssl-3.0-gnutls-3.7 openssl-3.5-gnutls-3.7 openssl-3.0-gnutls-3.8 openssl-3.5-gnutls-3.8
run-versions: openssl-3.5 gnutls-3.8 build
	@mkdir -p $(REPORTS)/builds $(REPORTS)/versions
	-$(BIN) run --quiet --reports $(REPORTS)/builds/openssl-3.0-gnutls-3.7
	-$(BIN) run --quiet --build openssl=.deps/openssl-3.5 --reports $(REPORTS)/builds/openssl-3.5-gnutls-3.7
	-$(BIN) run --quiet --build gnutls=.deps/gnutls-3.8 --reports $(REPORTS)/builds/openssl-3.0-gnutls-3.8
	-$(BIN) run --quiet --build openssl=.deps/openssl-3.5 --build gnutls=.deps/gnutls-3.8 --reports $(REPORTS)/builds/openssl-3.5-gnutls-3.8
	$(BIN) versions $(foreach run,$(BUILD_RUNS),$(REPORTS)/builds/$(run)/results.json) --reports $(REPORTS)/versions

# The whole test suite against OpenSSL 3.5, compiled against its headers: the QUIC and SSL_handle_events tests run
# instead of being skipped.
SWIFT35 := PKG_CONFIG_PATH=$(OPENSSL35)/lib/pkgconfig $(SWIFT)
FLAGS35 := --scratch-path .build-openssl35 -Xlinker -rpath -Xlinker $(OPENSSL35)/lib
test-3.5: openssl-3.5
	$(SWIFT35) build $(FLAGS35) --build-tests
	$(SWIFT35) test $(FLAGS35) --skip-build

# The QUIC track: ngtcp2 1.11 with its GnuTLS crypto helper from bookworm-backports, unpacked into .deps/quic
# (scripts/install-quic.sh), compiled into the GnuTLS backend (NGTCP2_GNUTLS), against OpenSSL 3.5's own QUIC, so the
# Q family is a real 2 × 2. Its own build folder; make run and make test need none of it.
QUIC_ROOT := $(CURDIR)/.deps/quic/usr
QUIC_LIB := $(QUIC_ROOT)/lib/x86_64-linux-gnu
QUIC_FLAGS := -Xswiftc -DNGTCP2_GNUTLS -Xcc -DCNGTCP2_ENABLED -Xcc -I$(QUIC_ROOT)/include -Xlinker -L$(QUIC_LIB) \
	-Xlinker -lngtcp2_crypto_gnutls -Xlinker -lngtcp2 -Xlinker -rpath -Xlinker $(QUIC_LIB)
QUIC_BIN := .build-quic/debug/tls-interop
quic: openssl-3.5
	@scripts/install-quic.sh
	$(SWIFT) build --product tls-interop --scratch-path .build-quic $(QUIC_FLAGS)

# The Q family in every mode on OpenSSL 3.5 and ngtcp2 + GnuTLS (reports/quic/).
run-quic: quic endpoints
	@mkdir -p $(REPORTS)/quic
	$(QUIC_BIN) run --build openssl=.deps/openssl-3.5 --filter Q --reports $(REPORTS)/quic

# The whole test suite against OpenSSL 3.5 with ngtcp2 compiled in: the QUIC tests of both libraries run.
FLAGS_QUIC_TESTS := --scratch-path .build-quic-tests -Xlinker -rpath -Xlinker $(OPENSSL35)/lib $(QUIC_FLAGS)
test-quic: quic
	$(SWIFT35) build $(FLAGS_QUIC_TESTS) --build-tests
	$(SWIFT35) test $(FLAGS_QUIC_TESTS) --skip-build

# Regenerates the TEST-ONLY PKI in certs/ (committed; only needed if you want new keys).
certs:
	scripts/make-certs.sh certs

clean:
	rm -rf .build $(RUN_SCRATCH) .build-openssl35 .build-quic .build-quic-tests $(REPORTS)/*.xml $(REPORTS)/*.json $(REPORTS)/*.md $(REPORTS)/*.html $(REPORTS)/openssl-3.5 $(REPORTS)/versions $(REPORTS)/builds
