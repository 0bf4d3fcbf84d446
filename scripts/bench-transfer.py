#!/usr/bin/env python3
"""Export and import throughput and peak memory (BENCHMARKS.md "Export and import").

Writes an export file of N memories (N/100 sessions of one user, realistic text, optionally
with 384-float vectors), then, on each store: `memoryhub import` into an empty database,
`memoryhub export` of it, and the same import again (idempotent: nothing written). Each step is
a new `memoryhub` process; wall time and its peak resident memory (ru_maxrss from wait4) are
reported. Usage: bench-transfer.py BINARY [--memories N] [--postgres URL] [--embeddings]
"""
import argparse
import base64
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
import uuid

WORDS = ("deploy build cache redis postgres index query token budget session memory vector search "
         "recall commit branch release schema migration worker queue retry timeout latency replica "
         "config secret policy review test fixture benchmark profile trace metric alert").split()


def write_file(path, memories, embeddings):
    rng = random.Random(7)
    sessions = max(1, memories // 100)
    base = 1_764_000_000_000_000
    def ts(micros):
        t = time.gmtime(micros // 1_000_000)
        return time.strftime("%Y-%m-%dT%H:%M:%S", t) + ".%06dZ" % (micros % 1_000_000)
    session_ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(sessions)]
    with open(path, "w") as out:
        header = {"type": "header", "format": "memoryhub-export", "version": 1, "exported_at": ts(base), "filter": {}}
        if embeddings:
            header["embedding_model"] = "all-MiniLM-L6-v2/384"
        out.write(json.dumps(header) + "\n")
        for index, sid in enumerate(session_ids):
            start = base + index * 3_600_000_000
            out.write(json.dumps({
                "type": "session", "id": sid, "user_id": "bench", "project_id": "shop", "client_session_id": None,
                "parent_session_id": None, "state": "ended", "started_at": ts(start), "ended_at": ts(start + 1_800_000_000),
                "end_reason": "normal", "summary": None, "metadata": {"source": "bench"}, "tags": ["bench"],
                "memory_count": 100 if index < sessions - 1 else memories - 100 * (sessions - 1),
                "created_at": ts(start), "updated_at": ts(start + 1_800_000_000), "version": 3}) + "\n")
        for n in range(memories):
            index = min(n // 100, sessions - 1)
            created = base + index * 3_600_000_000 + (n % 100) * 1_000_000
            content = "Note %d: " % n + " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40))) + "."
            record = {
                "type": "memory", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "session_id": session_ids[index],
                "user_id": "bench", "project_id": "shop", "content": content, "summary": None,
                "memory_type": rng.choice(["fact", "decision", "code", "error", "pattern"]), "importance": 0.5,
                "confidence": 0.8, "entities": [rng.choice(WORDS)], "tags": ["bench"], "related_memories": [],
                "metadata": {"n": n}, "access_count": 0, "last_accessed": None, "created_at": ts(created),
                "updated_at": ts(created), "version": 1, "superseded_by": None}
            if embeddings:
                vector = [rng.uniform(-0.1, 0.1) for _ in range(384)]
                record["embedding"] = base64.b64encode(struct.pack("<384f", *vector)).decode()
            out.write(json.dumps(record) + "\n")
        out.write(json.dumps({"type": "end", "sessions": sessions, "memories": memories}) + "\n")


def run(binary, args, database):
    env = dict(os.environ, MEMORYHUB_LOG_LEVEL="warning")
    start = time.monotonic()
    process = subprocess.Popen([binary] + args + ["--database", database], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - start
    stderr = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s failed: %s" % (" ".join(args), stderr))
    return elapsed, usage.ru_maxrss / 1024  # MiB


def fresh_postgres(url, name):
    admin = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin, "-q", "-c", "DROP DATABASE IF EXISTS %s" % name], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["psql", admin, "-q", "-c", "CREATE DATABASE %s" % name], check=True, stdout=subprocess.DEVNULL)
    return url.rsplit("/", 1)[0] + "/" + name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--postgres")
    parser.add_argument("--embeddings", action="store_true")
    options = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="memoryhub-bench-transfer-")
    source = os.path.join(folder, "source.jsonl")
    write_file(source, options.memories, options.embeddings)
    size = os.path.getsize(source) / 1048576
    print("%d memories, %d sessions, file %.1f MiB%s" % (
        options.memories, max(1, options.memories // 100), size, ", with vectors" if options.embeddings else ""))
    stores = [("SQLite", os.path.join(folder, "bench.sqlite"))]
    if options.postgres:
        stores.append(("PostgreSQL", fresh_postgres(options.postgres, "memoryhub_bench_transfer")))
    print("| store | step | seconds | memories/s | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for name, database in stores:
        exported = os.path.join(folder, "export-%s.jsonl" % name)
        steps = [
            ("import (empty store)", ["import", source]),
            ("export" + (" --embeddings" if options.embeddings else ""),
             ["export", "-o", exported] + (["--embeddings"] if options.embeddings else [])),
            ("import again (nothing to write)", ["import", source]),
        ]
        for label, args in steps:
            seconds, rss = run(options.binary, args, database)
            print("| %s | %s | %.1f | %.0f | %.0f |" % (name, label, seconds, options.memories / seconds, rss))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
