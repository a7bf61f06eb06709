# TLSInterop — two commands on a fresh Debian bookworm machine: `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
# make run's own build (scratch path below); make test builds in .build.
RUN_SCRATCH := .build-run
BIN := $(RUN_SCRATCH)/debug/tls-interop
REPORTS := reports

.PHONY: all deps build run test bench openssl-3.5 gnutls-3.8 run-3.5 test-3.5 certs clean

all: build

deps:
	@scripts/install-deps.sh

# Debug with the Swift runtime linked in: fastest from a fresh clone and warm (each peer process skips loading and
# binding the Swift libraries); measured in the README. Its own scratch path: relinking .build's dynamic objects
# statically fails in SwiftPM, and make test keeps .build.
build: deps
	$(SWIFT) build --product tls-interop --static-swift-stdlib --scratch-path $(RUN_SCRATCH)

# Builds, runs the default matrix, prints the summary and writes reports/junit.xml.
run: build
	@mkdir -p $(REPORTS)
	$(BIN) run --reports $(REPORTS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Benchmarks of what make run runs (its build, its cells): cell cost against the libraries alone, bulk transfers,
# --jobs 1 vs 2, processes, DTLS timers.
bench: build
	$(SWIFT) build --product tls-interop-bench --static-swift-stdlib --scratch-path $(RUN_SCRATCH)
	@mkdir -p $(REPORTS)
	$(RUN_SCRATCH)/debug/tls-interop-bench

# OpenSSL 3.5 from Debian trixie's source package into .deps/ (about two minutes on two cores, once), and a second
# harness build against it in .build-openssl35 (its own scratch path, PKG_CONFIG_PATH and run-time library path).
OPENSSL35 := $(CURDIR)/.deps/openssl-3.5
SWIFT35 := PKG_CONFIG_PATH=$(OPENSSL35)/lib/pkgconfig $(SWIFT)
FLAGS35 := --scratch-path .build-openssl35 -Xlinker -rpath -Xlinker $(OPENSSL35)/lib
openssl-3.5: deps
	@scripts/install-deps.sh build-essential perl
	scripts/build-openssl-3.5.sh
	$(SWIFT35) build $(FLAGS35) --product tls-interop

# GnuTLS 3.8 (and the nettle 3.10 it needs) from Debian trixie's source packages into .deps/gnutls-3.8 (about ten
# minutes on two cores, once). The same harness binary runs against it: `run --gnutls-build .deps/gnutls-3.8`.
gnutls-3.8: deps
	@scripts/install-deps.sh build-essential m4 libgmp-dev libtasn1-6-dev libp11-kit-dev libidn2-dev
	scripts/build-gnutls-3.8.sh

# The default matrix on OpenSSL 3.0 (reports/) and on 3.5 (reports/openssl-3.5/), both against the system GnuTLS,
# then one comparison with the version as a dimension (reports/versions/): every cell whose outcome changed.
run-3.5: openssl-3.5 build
	@mkdir -p $(REPORTS)/openssl-3.5 $(REPORTS)/versions
	$(BIN) run --reports $(REPORTS)
	.build-openssl35/debug/tls-interop run --reports $(REPORTS)/openssl-3.5 --baseline $(REPORTS)/results.json
	$(BIN) versions $(REPORTS)/results.json $(REPORTS)/openssl-3.5/results.json --reports $(REPORTS)/versions

# The whole test suite against OpenSSL 3.5: the QUIC and SSL_handle_events tests run instead of being skipped.
test-3.5: openssl-3.5
	$(SWIFT35) build $(FLAGS35) --build-tests
	$(SWIFT35) test $(FLAGS35) --skip-build

# Regenerates the TEST-ONLY PKI in certs/ (committed; only needed if you want new keys).
certs:
	scripts/make-certs.sh certs

clean:
	rm -rf .build $(RUN_SCRATCH) .build-openssl35 $(REPORTS)/*.xml $(REPORTS)/*.json $(REPORTS)/*.md $(REPORTS)/*.html $(REPORTS)/openssl-3.5 $(REPORTS)/versions
