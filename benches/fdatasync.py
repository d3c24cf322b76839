#!/usr/bin/env python3
"""Raw fdatasync latency of the disk under a directory, the floor of a
durable commit: N rounds of one 4 KiB write then fdatasync, timed one by
one, in two modes. "overwrite": in place in a preallocated 4 MiB file (what
redb mostly does: no size change, no journal commit). "append": the file
grows each time (a metadata journal commit too). Prints rate, mean, p50, p99.

    benches/fdatasync.py [DIR] [N]      # default /tmp, 300
"""
import os, sys, tempfile, time

d = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
block = os.urandom(4096)
for mode in ("overwrite", "append"):
    fd, path = tempfile.mkstemp(dir=d, prefix="fdatasync-")
    try:
        if mode == "overwrite":
            os.write(fd, b"\0" * (4 << 20))
            os.fsync(fd)
        times = []
        for i in range(n):
            if mode == "overwrite":
                os.pwrite(fd, block, (i * 4096) % (4 << 20))
            else:
                os.write(fd, block)
            t = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - t)
        times.sort()
        q = lambda p: times[min(len(times) - 1, int(p * len(times)))] * 1e3
        print(f"fdatasync {mode:9} x{n} in {d}: {n / sum(times):.0f}/s back to back, "
              f"mean {sum(times) / n * 1e3:.2f} ms, p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms")
    finally:
        os.close(fd)
        os.unlink(path)
