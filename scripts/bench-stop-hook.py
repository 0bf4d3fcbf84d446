#!/usr/bin/env python3
"""The Stop hook on a long conversation, as Claude Code sees it: the time from starting
`memoryhub hook stop` to its exit when the transcript holds TURNS turns none of which were read
before (the worst case: a first Stop after a long session, or an import), on a fresh embedded
database. The turns are the labelled capture set's (Tests/MemoryCoreTests/Fixtures/capture),
cycled with a suffix so each is new. Prints the median and p95 of RUNS runs, the memories stored,
and the hook's 10 s watchdog budget for comparison.
Usage: scripts/bench-stop-hook.py BINARY [--turns 500] [--runs 9]
Standard library only."""

import argparse
import glob
import json
import os
import sqlite3
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "Tests", "MemoryCoreTests", "Fixtures", "capture")


def transcript(path, turns, cwd, session):
    source = []
    for name in sorted(glob.glob(os.path.join(FIXTURES, "*.json"))):
        with open(name) as handle:
            source += json.load(handle)["turns"]
    with open(path, "w") as out:
        for index in range(turns):
            turn = source[index % len(source)]
            text = turn["text"] + ("" if index < len(source) else f" (round {index // len(source)})")
            envelope = {"uuid": f"t-{index}", "parentUuid": None, "sessionId": session, "timestamp": "2026-03-02T10:15:30.123Z",
                        "cwd": cwd, "version": "2.1.3", "isSidechain": False, "userType": "external"}
            if turn["role"] == "user":
                envelope.update({"type": "user", "message": {"role": "user", "content": text}})
            else:
                envelope.update({"type": "assistant", "message": {"id": f"msg-{index}", "type": "message", "role": "assistant",
                                                                   "content": [{"type": "text", "text": text}]}})
            out.write(json.dumps(envelope) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--runs", type=int, default=9)
    options = parser.parse_args()
    times, stored = [], []
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.path.join(folder, "shop")
        os.makedirs(os.path.join(cwd, ".git"))
        for run in range(options.runs):
            session = f"bench-{run}"
            path = os.path.join(folder, f"transcript-{run}.jsonl")
            transcript(path, options.turns, cwd, session)
            database = os.path.join(folder, f"db-{run}.sqlite")
            payload = {"session_id": session, "transcript_path": path, "cwd": cwd, "hook_event_name": "Stop"}
            started = time.perf_counter()
            result = subprocess.run([options.binary, "hook", "stop", "--database", database, "--user", "bench",
                                     "--log-file", os.path.join(folder, "hooks.log")],
                                    input=json.dumps(payload).encode(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - started) * 1000)
            if result.returncode != 0:
                raise SystemExit(f"hook stop exited {result.returncode}")
            with sqlite3.connect(database) as connection:
                stored.append(connection.execute("SELECT count(*) FROM memories").fetchone()[0])
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(f"| turns | runs | memories stored | median ms | p95 ms | budget ms |")
    print(f"|---|---|---|---|---|---|")
    print(f"| {options.turns} | {options.runs} | {statistics.median(stored):.0f} | {statistics.median(times):.0f} | {p95:.0f} | 10000 |")


if __name__ == "__main__":
    main()
