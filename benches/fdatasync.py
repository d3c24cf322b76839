#!/usr/bin/env python3
"""Raw fdatasync latency of the disk under a directory: N appends of 4 KiB,
each followed by fdatasync, timed one by one. Prints count, rate, p50/p99.

    benches/fdatasync.py [DIR] [N]      # default /tmp, 300
"""
import os, sys, tempfile, time

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
fd, path = tempfile.mkstemp(dir=d, prefix="fdatasync-")
try:
    block = os.urandom(4096)
    times = []
    for _ in range(n):
        os.write(fd, block)
        t = time.perf_counter()
        os.fdatasync(fd)
        times.append(time.perf_counter() - t)
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1e3
    print(f"fdatasync x{n} in {d}: {n / sum(times):.0f}/s back to back, "
          f"mean {sum(times) / n * 1e3:.2f} ms, p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms")
finally:
    os.close(fd)
    os.unlink(path)
