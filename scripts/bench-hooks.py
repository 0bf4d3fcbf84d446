#!/usr/bin/env python3
"""Hook latency, as Claude Code sees it: the time from starting `memoryhub hook EVENT` to its exit,
for session-start and user-prompt-submit, on an embedded database of 10,000 memories. Seeds the
database through `memoryhub serve`'s batch API, then times each hook RUNS times (each run a new
process, as Claude Code starts one) and prints a markdown table with the median and p95.
Usage: scripts/bench-hooks.py BINARY [--memories 10000] [--runs 60]
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


def seed(binary, database, memories, user, project):
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = subprocess.Popen([binary, "serve", "--port", "0", "--database", database, "--log-level", "notice"],
                              stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)
    try:
        base = None
        for _ in range(1200):
            match = re.search(r"listening on (http://[0-9.]+:[0-9]+)", open(log.name).read())
            if match:
                base = match.group(1)
                break
            time.sleep(0.05)
        if base is None:
            raise SystemExit("memoryhub serve did not start:\n" + open(log.name).read())
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
        deadline = time.time() + 900
        while time.time() < deadline:
            waiting, = sqlite3.connect(database).execute("SELECT count(*) FROM memories WHERE has_embedding = 0").fetchone()
            if waiting == 0 or "lexical only" in open(log.name).read():
                break
            time.sleep(1)
    finally:
        server.terminate()
        server.wait()
        os.unlink(log.name)


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--memories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="memoryhub-bench-hooks-")
    project_dir = os.path.join(work, "bench")
    os.makedirs(os.path.join(project_dir, ".git"))
    database = os.path.join(work, "db.sqlite")
    log_file = os.path.join(work, "hooks.log")
    user = "bench"
    seed(args.binary, database, args.memories, user, "bench")

    embedded, = sqlite3.connect(database).execute("SELECT count(*) FROM memories WHERE has_embedding = 1").fetchone()
    rows = []
    for label, event, extra in (("session-start", "session-start", []),
                                ("user-prompt-submit (words only, the default)", "user-prompt-submit", []),
                                ("user-prompt-submit --semantic (hybrid, loads MiniLM)", "user-prompt-submit", ["--semantic"])):
        timings = []
        printed = 0
        for run in range(args.runs + 3):
            payload = {"session_id": f"bench-{event}-{run}", "transcript_path": os.path.join(work, "none.jsonl"),
                       "cwd": project_dir, "hook_event_name": event}
            if event == "session-start":
                payload["source"] = "startup"
            else:
                payload["prompt"] = PROMPTS[run % len(PROMPTS)]
            elapsed, output = time_hook(args.binary, database, event, payload, user, log_file, extra)
            if run >= 3:  # the first runs warm the page cache
                timings.append(elapsed)
                printed += len(output)
        rows.append((label, statistics.median(timings), percentile(timings, 0.95), min(timings), printed / len(timings)))
    failures = open(log_file).read().strip() if os.path.exists(log_file) else ""
    print(f"{args.memories} memories of user `bench`, project `bench` ({embedded} with embeddings); "
          f"{args.runs} runs per hook, each a new process\n")
    print("| hook | median ms | p95 ms | min ms | mean chars printed |")
    print("|---|---|---|---|---|")
    for event, median, p95, fastest, chars in rows:
        print(f"| {event} | {median:.1f} | {p95:.1f} | {fastest:.1f} | {chars:.0f} |")
    if failures:
        print("\nHook log (failures):\n```\n" + failures[-2000:] + "\n```")


if __name__ == "__main__":
    main()
