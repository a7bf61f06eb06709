# TLSInterop — two commands on a fresh Debian bookworm machine: `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
BIN := .build/debug/tls-interop
REPORTS := reports

.PHONY: all deps build run test bench openssl-3.5 certs clean

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

# OpenSSL 3.5 from Debian trixie's source package into .deps/, a second harness build against it, and the matrix
# on it compared with the last `make run` (OpenSSL 3.0): reports/openssl-3.5/ lists every cell that changed.
OPENSSL35 := $(CURDIR)/.deps/openssl-3.5
openssl-3.5: deps
	scripts/build-openssl-3.5.sh
	PKG_CONFIG_PATH=$(OPENSSL35)/lib/pkgconfig $(SWIFT) build --scratch-path .build-openssl35 --product tls-interop \
		-Xlinker -rpath -Xlinker $(OPENSSL35)/lib
	@mkdir -p $(REPORTS)/openssl-3.5
	.build-openssl35/debug/tls-interop run --reports $(REPORTS)/openssl-3.5 \
		$(if $(wildcard $(REPORTS)/results.json),--baseline $(REPORTS)/results.json,)

# Regenerates the TEST-ONLY PKI in certs/ (committed; only needed if you want new keys).
certs:
	scripts/make-certs.sh certs

clean:
	rm -rf .build .build-openssl35 $(REPORTS)/*.xml $(REPORTS)/*.json $(REPORTS)/*.md $(REPORTS)/*.html $(REPORTS)/openssl-3.5
