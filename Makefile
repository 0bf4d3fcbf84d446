# MemoryHub: `make run` serves the API on the embedded default; `make test` runs every suite.
SHELL := /bin/bash
BUILD_PACKAGES := libsqlite3-dev libopenblas-dev pkg-config
BENCH_PACKAGES := wrk
# OpenBLAS kernels chosen by CPU features, not model number (see scripts/openblas-coretype.sh).
OPENBLAS_CORETYPE ?= $(shell scripts/openblas-coretype.sh)
ifneq ($(OPENBLAS_CORETYPE),)
export OPENBLAS_CORETYPE
endif

.PHONY: run test setup build release bench bench-auth bench-capture bench-compression bench-embeddings bench-search eval bench-hooks bench-transfer bench-linking bench-persistent bench-writes bench-pages clean
# The retrieval evaluation files (DESIGN.md "Retrieval evaluation"): the visible file to confirm
# on, the dev file to tune on (../shared/data/README.md).
EVAL_FILES ?= ../shared/data/longmemeval_s_60.jsonl.gz ../shared/data/longmemeval_s_dev110.jsonl.gz

setup:
	@scripts/install-packages.sh $(BUILD_PACKAGES)
	@scripts/install-model.sh

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

# What checking an API key costs (GET session on PostgreSQL + Redis, local mode vs a Bearer key).
bench-auth: setup
	@scripts/install-packages.sh $(BENCH_PACKAGES)
	scripts/bench-auth.sh

# What capture costs: redaction throughput, and a write with redaction, de-duplication and
# supersession on vs off (SQLite; PostgreSQL too with BENCH_POSTGRES=postgres://...).
bench-capture: setup
	swift build -c release --product CaptureBench
	.build/release/CaptureBench $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))

# Compressing a 1,000-memory session with each strategy: the compressor alone, and through the
# service on SQLite (preview: read + compress; a cached compress).
bench-compression: setup
	swift build -c release --product CompressionBench
	.build/release/CompressionBench

bench-embeddings: setup
	swift build -c release --product EmbeddingBench
	.build/release/EmbeddingBench

bench-search: setup
	swift build -c release --product SearchBench
	.build/release/SearchBench

# Loads each eval file once into .build/NAME.sqlite (kept between runs: delete it after changing
# the write path; embedding both takes about 35 minutes of both cores), then reports each mode.
eval: release
	for file in $(EVAL_FILES); do \
	  name=$$(basename $$file .jsonl.gz); \
	  for mode in lexical semantic hybrid; do \
	    .build/release/memoryhub eval $$file --mode $$mode --keep .build/$$name.sqlite || exit 1; \
	  done; \
	done

bench-hooks: release
	scripts/bench-hooks.py .build/release/memoryhub

# Export and import throughput and peak memory at 100k memories (SQLite; PostgreSQL too with
# BENCH_POSTGRES=postgres://...).
bench-transfer: release
	scripts/bench-transfer.py .build/release/memoryhub --embeddings $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))

# Chain analysis and the full chain of a 100-session chain (SQLite; PostgreSQL too with
# BENCH_POSTGRES=postgres://...).
bench-linking: setup
	swift build -c release --product LinkingBench
	.build/release/LinkingBench $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))

# A persistent-context query over 10,000 items, by meaning and by words (SQLite; PostgreSQL too
# with BENCH_POSTGRES=postgres://...).
bench-persistent: setup
	swift build -c release --product PersistentContextBench
	.build/release/PersistentContextBench $(if $(BENCH_POSTGRES),--postgres $(BENCH_POSTGRES))

# Issue 16's write table: GET session, POST memory (one session; 32 users), POST session/start,
# wrk -t2 -c32 on SQLite and PostgreSQL + Redis (installs wrk; starts its own servers).
bench-writes: setup
	@scripts/install-packages.sh $(BENCH_PACKAGES)
	scripts/bench-writes.sh

# Page answer time (issue 14): the sessions list, a session with 200 memories, the search page at
# 10,000 memories of one user (SQLite; hybrid search too when the model is installed).
bench-pages: setup
	swift build -c release --product PagesBench
	.build/release/PagesBench

clean:
	rm -rf .build
