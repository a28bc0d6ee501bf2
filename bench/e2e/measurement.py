"""What the Python contenders of the end-to-end benchmark measure about
themselves, as measurement.h does for the C++ ones."""

from __future__ import annotations

import resource
import time


class Clock:
    """Wall and CPU time (the whole process, librdkafka's threads included)
    while reading only, as measurement.h keeps them."""

    def __init__(self):
        self.elapsed = 0.0
        self.cpu = 0.0
        self._since = None

    @staticmethod
    def _cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def resume(self):
        self._since = (time.monotonic(), self._cpu())

    def pause(self):
        self.elapsed = self.now()
        self.cpu += self._cpu() - self._since[1]
        self._since = None

    def now(self) -> float:
        return self.elapsed + (time.monotonic() - self._since[0] if self._since else 0.0)


def peak_rss_kib() -> int:
    """The process's resident memory at its highest so far (Linux's VmHWM)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0
