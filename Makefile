# MemoryHub: `make run` serves the API on the embedded default; `make test` runs every suite.
SHELL := /bin/bash
BUILD_PACKAGES := libsqlite3-dev
BENCH_PACKAGES := wrk

.PHONY: run test setup build release bench bench-hooks clean

setup:
	@scripts/install-packages.sh $(BUILD_PACKAGES)

build: setup
	swift build

release: setup
	swift build -c release --product memoryhub

run: release
	.build/release/memoryhub serve

test: setup
	scripts/test.sh

bench: setup
	@scripts/install-packages.sh $(BENCH_PACKAGES)
	scripts/bench.sh

bench-hooks: release
	scripts/bench-hooks.py .build/release/memoryhub

clean:
	rm -rf .build
