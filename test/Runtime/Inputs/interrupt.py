"""Starts a command (a training run with --log-steps), waits until its step
log holds MIN_STEPS steps, sends SIGNAL COUNT times, and prints the command's
stdout, stderr and exit code (negative: killed by that signal).

usage: interrupt.py SIGNAL COUNT STEPS.csv MIN_STEPS CMD...
No sleep races: the signal goes only after a step is logged, and every wait
has a deadline, so a hung run fails the test instead of hanging it.
"""
import os
import select
import signal
import subprocess
import sys
import time

sig = getattr(signal, sys.argv[1])
count, steps, min_steps = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cmd = sys.argv[5:]


def default_signals():
    # lit may run tests with SIGINT ignored, which the child would inherit.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def logged_steps():
    try:
        with open(steps) as f:
            return max(0, f.read().count("\n") - 1)  # minus the header
    except FileNotFoundError:
        return 0


p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     preexec_fn=default_signals)
deadline = time.monotonic() + 60
while logged_steps() < min_steps:
    if p.poll() is not None or time.monotonic() > deadline:
        p.kill()
        out, err = p.communicate()
        print("the run ended or stalled before step %d" % min_steps)
        sys.stdout.write(err.decode())
        sys.exit(1)
    time.sleep(0.005)
# Signals sent back to back would merge into one: send the next only after
# the run has said it took the previous one.
seen = b""
for i in range(count):
    p.send_signal(sig)
    while i + 1 < count and b"interrupted:" not in seen:
        ready, _, _ = select.select([p.stderr], [], [], 1)
        if ready:
            seen += os.read(p.stderr.fileno(), 4096)
        if time.monotonic() > deadline:
            p.kill()
            print("no answer to the signal")
            sys.exit(1)
try:
    out, err = p.communicate(timeout=60)
except subprocess.TimeoutExpired:
    p.kill()
    print("still running 60 s after the signal")
    sys.exit(1)
sys.stdout.write(out.decode())
sys.stdout.write((seen + err).decode())
print("rc", p.returncode)
