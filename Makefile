# TLSInterop — two commands on a fresh Debian bookworm machine: `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
BIN := .build/debug/tls-interop
REPORTS := reports

.PHONY: all deps build run test bench openssl-3.5 run-3.5 test-3.5 certs clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build --product tls-interop

# Builds, runs the default matrix, prints the summary and writes reports/junit.xml.
run: build
	@mkdir -p $(REPORTS)
	$(BIN) run --reports $(REPORTS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Benchmarks (release build): cell cost against the libraries alone, --jobs 1 vs 2, processes, DTLS timers.
bench: deps
	$(SWIFT) build -c release --product tls-interop
	$(SWIFT) build -c release --product tls-interop-bench
	@mkdir -p $(REPORTS)
	.build/release/tls-interop-bench

# OpenSSL 3.5 from Debian trixie's source package into .deps/ (about two minutes on two cores, once), and a second
# harness build against it in .build-openssl35 (its own scratch path, PKG_CONFIG_PATH and run-time library path).
OPENSSL35 := $(CURDIR)/.deps/openssl-3.5
SWIFT35 := PKG_CONFIG_PATH=$(OPENSSL35)/lib/pkgconfig $(SWIFT)
FLAGS35 := --scratch-path .build-openssl35 -Xlinker -rpath -Xlinker $(OPENSSL35)/lib
openssl-3.5: deps
	@scripts/install-deps.sh build-essential perl
	scripts/build-openssl-3.5.sh
	$(SWIFT35) build $(FLAGS35) --product tls-interop

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
	rm -rf .build .build-openssl35 $(REPORTS)/*.xml $(REPORTS)/*.json $(REPORTS)/*.md $(REPORTS)/*.html $(REPORTS)/openssl-3.5 $(REPORTS)/versions
