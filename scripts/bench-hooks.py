#!/usr/bin/env python3
"""Hook latency, as Claude Code sees it: the time from starting `memoryhub hook EVENT` to its exit,
for session-start and user-prompt-submit, on an embedded database of N memories (default 10,000),
without a running server (each hook opens the database) and through a running `memoryhub serve`
(each hook finds it through the runtime file next to the database and asks it over HTTP).
Seeds the database through `memoryhub serve`'s batch API and waits until every memory has its
embedding, then times each hook RUNS times (each run a new process, as Claude Code starts one) and
prints a markdown table with the median and p95, and the machine's load average.
Usage: scripts/bench-hooks.py BINARY [--memories 10000] [--runs 60] [--serve both|off|on] [--work DIR]
(--work keeps the seeded database in DIR and reuses it when it already holds N memories.)
Standard library only."""

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.request

WORDS = ("deploy release pipeline staging production database migration index cache redis postgres sqlite "
         "session memory search context token budget embedding vector cosine lexical hybrid fusion ranking "
         "hummingbird router middleware handler request response error timeout retry backoff circuit breaker "
         "swift actor task sendable concurrency lock queue worker batch throughput latency benchmark profile "
         "test suite fixture mock contract integration unit coverage lint format commit branch merge review "
         "docker compose kubernetes helm chart secret config flag environment variable logging metrics tracing").split()
TYPES = ["fact", "decision", "preference", "error", "pattern", "code", "entity"]
PROMPTS = ["how do we deploy to production?", "why does the cache miss after a migration?",
           "fix the timeout in the redis circuit breaker", "what did we decide about the search ranking?",
           "add a test for the session handler", "where is the embedding batch size configured?"]


def post(url, body, user):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-User-ID": user})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def start_server(binary, database):
    """`memoryhub serve` on the database; returns (process, base URL, log path)."""
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = subprocess.Popen([binary, "serve", "--port", "0", "--database", database, "--log-level", "notice"],
                              stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)
    for _ in range(2400):
        match = re.search(r"listening on (http://[0-9.]+:[0-9]+)", open(log.name).read())
        if match:
            return server, match.group(1), log.name
        if server.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit("memoryhub serve did not start:\n" + open(log.name).read())


def stop_server(server, log):
    server.terminate()
    server.wait()
    os.unlink(log)


def seed(binary, database, memories, user, project):
    server, base, log = start_server(binary, database)
    try:
        rng = random.Random(7)
        written = 0
        while written < memories:
            session = post(base + "/api/memory/session/start",
                           {"user_id": user, "project_id": project, "auto_link": False}, user)["id"]
            items = []
            for _ in range(min(500, memories - written)):
                words = rng.sample(WORDS, rng.randint(8, 30))
                items.append({"session_id": session, "content": " ".join(words).capitalize() + ".",
                              "memory_type": rng.choice(TYPES), "importance": round(rng.random(), 2),
                              "entities": rng.sample(WORDS, 2)})
            result = post(base + "/api/memory/memories/batch", {"session_id": session, "memories": items}, user)
            written += result["created"]
            post(base + f"/api/memory/session/{session}/end", {"reason": "normal"}, user)
        # The server embeds new memories in the background; wait for all of them (when it has a model).
        deadline = time.time() + 7200
        while time.time() < deadline:
            waiting, = sqlite3.connect(database).execute("SELECT count(*) FROM memories WHERE has_embedding = 0").fetchone()
            if waiting == 0 or "lexical only" in open(log).read():
                break
            time.sleep(2)
    finally:
        stop_server(server, log)


def time_hook(binary, database, event, payload, user, log_file, extra):
    started = time.perf_counter()
    result = subprocess.run([binary, "hook", event, "--database", database, "--user", user, "--log-file", log_file] + extra,
                            input=json.dumps(payload).encode(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"hook {event} exited {result.returncode}")
    return elapsed * 1000, result.stdout.decode()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_hooks(binary, database, work, project_dir, user, log_file, runs, rows, label, hooks):
    for name, event, extra in hooks:
        timings = []
        printed = 0
        for run in range(runs + 3):
            payload = {"session_id": f"bench-{label}-{event}-{run}-{time.time_ns()}",
                       "transcript_path": os.path.join(work, "none.jsonl"), "cwd": project_dir, "hook_event_name": event}
            if event == "session-start":
                payload["source"] = "startup"
            else:
                # Unique per run, as real prompts are: a server's result cache never answers.
                payload["prompt"] = f"{PROMPTS[run % len(PROMPTS)]} (take {run})"
            elapsed, output = time_hook(binary, database, event, payload, user, log_file, extra)
            if run >= 3:  # the first runs warm the page cache (and the server)
                timings.append(elapsed)
                printed += len(output)
        rows.append((name, label, statistics.median(timings), percentile(timings, 0.95), min(timings), printed / len(timings)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--serve", choices=["both", "off", "on"], default="both")
    parser.add_argument("--work", help="keep the seeded database here and reuse it")
    args = parser.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="memoryhub-bench-hooks-")
    os.makedirs(work, exist_ok=True)
    project_dir = os.path.join(work, "bench")
    os.makedirs(os.path.join(project_dir, ".git"), exist_ok=True)
    database = os.path.join(work, f"db-{args.memories}.sqlite")
    log_file = os.path.join(work, "hooks.log")
    if os.path.exists(log_file):
        os.unlink(log_file)
    user = "bench"
    existing = 0
    if os.path.exists(database):
        existing, = sqlite3.connect(database).execute("SELECT count(*) FROM memories").fetchone()
    if existing != args.memories:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database + suffix):
                os.unlink(database + suffix)
        seed(args.binary, database, args.memories, user, "bench")

    embedded, = sqlite3.connect(database).execute("SELECT count(*) FROM memories WHERE has_embedding = 1").fetchone()
    load_before = os.getloadavg()
    rows = []
    if args.serve in ("both", "off"):
        time_hooks(args.binary, database, work, project_dir, user, log_file, args.runs, rows, "none", [
            ("session-start", "session-start", []),
            ("user-prompt-submit (words only, the default)", "user-prompt-submit", []),
            ("user-prompt-submit --semantic (hybrid, loads MiniLM)", "user-prompt-submit", ["--semantic"])])
    if args.serve in ("both", "on"):
        server, base, server_log = start_server(args.binary, database)
        try:
            time_hooks(args.binary, database, work, project_dir, user, log_file, args.runs, rows, "running", [
                ("session-start", "session-start", []),
                ("user-prompt-submit (hybrid: the server's model is loaded)", "user-prompt-submit", [])])
        finally:
            stop_server(server, server_log)
    load_after = os.getloadavg()
    failures = open(log_file).read().strip() if os.path.exists(log_file) else ""
    print(f"{args.memories} memories of user `bench`, project `bench` ({embedded} with embeddings); "
          f"{args.runs} runs per hook, each a new process; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print("| hook | memoryhub serve | median ms | p95 ms | min ms | mean chars printed |")
    print("|---|---|---|---|---|---|")
    for event, label, median, p95, fastest, chars in rows:
        print(f"| {event} | {label} | {median:.1f} | {p95:.1f} | {fastest:.1f} | {chars:.0f} |")
    if failures:
        print("\nHook log (failures):\n```\n" + failures[-2000:] + "\n```")


if __name__ == "__main__":
    main()
