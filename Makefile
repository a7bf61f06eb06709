# TLSInterop — two commands on a fresh Debian bookworm machine: `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
BIN := .build/debug/tls-interop
REPORTS := reports

.PHONY: all deps build run test bench certs clean

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

# Regenerates the TEST-ONLY PKI in certs/ (committed; only needed if you want new keys).
certs:
	scripts/make-certs.sh certs

clean:
	rm -rf .build $(REPORTS)/*.xml
