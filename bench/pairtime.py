#!/usr/bin/env python3
"""bench/pairtime.py: time one command, or two side by side, as whole processes.

    pairtime.py [-n RUNS] [--warmup W] [--timeout S] [--vs "CMD B"] -- CMD A ...

Runs A (and B, alternating A B A B ... so that a drifting machine slows both
alike) RUNS times after W warm-up runs each, and prints per figure the
minimum, median and maximum:

    A wall s    0.612 0.640 0.701
    A cpu s     1.002 1.057 1.090
    A peak MiB  79.1 79.7 80.2
    B ...
    A/B wall    ...   (the ratio pair by pair, then its min, median, max)

Wall time is the process from fork to exit (time.monotonic); CPU (user +
system) and the peak resident set come from the kernel's accounting of the
finished child (os.wait4's rusage; ru_maxrss is in KiB on Linux), which is
what GNU time -v reports. Only the Python standard library is used, so
anyone can rerun the project's figures. A run that fails (non-zero exit or
timeout) stops the script with exit 1 and its command's output on stderr.
"""
import argparse
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(cmd, timeout):
    """Wall s, CPU s, peak MiB of one run of cmd (a list)."""
    errfile = tempfile.TemporaryFile()  # a pipe could fill and block the child
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errfile,
                            start_new_session=True)
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            sys.exit(f"pairtime: timed out after {timeout} s: {shlex.join(cmd)}")
        time.sleep(0.002)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        errfile.seek(0)
        sys.stderr.write(errfile.read().decode(errors="replace"))
        sys.exit(f"pairtime: exit {proc.returncode}: {shlex.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def spread(values):
    return f"{min(values):.3f} {statistics.median(values):.3f} {max(values):.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--vs", help="the second command, one shell-quoted string")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd_a = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd_a:
        ap.error("no command after --")
    cmds = {"A": cmd_a}
    if args.vs:
        cmds["B"] = shlex.split(args.vs)
    for _ in range(args.warmup):
        for cmd in cmds.values():
            run_once(cmd, args.timeout)
    got = {k: [] for k in cmds}
    for _ in range(args.runs):
        for k, cmd in cmds.items():
            got[k].append(run_once(cmd, args.timeout))
    print(f"pairtime: {args.runs} runs after {args.warmup} warm-up, load "
          f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
    for k, cmd in cmds.items():
        print(f"{k}: {shlex.join(cmd)}")
    for k, rows in got.items():
        for i, name in enumerate(("wall s", "cpu s", "peak MiB")):
            print(f"{k} {name}  {spread([r[i] for r in rows])}")
    if "B" in got:
        for i, name in enumerate(("wall", "cpu")):
            ratios = [a[i] / b[i] for a, b in zip(got["A"], got["B"]) if b[i] > 0]
            print(f"A/B {name}  {spread(ratios)}")


if __name__ == "__main__":
    main()
