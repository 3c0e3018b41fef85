"""A small optional progress bar on stderr (tqdm's when it is installed)."""

import sys
import threading
import time

__all__ = ["progress"]


class _Bar:
    """``desc [#####.....] k/total elapsed`` redrawn in place on stderr, thread-safe."""

    def __init__(self, total, desc, stream=None, width=30):
        self.total = max(int(total), 1)
        self.desc = desc
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.count = 0
        self.start = time.perf_counter()
        self.lock = threading.Lock()
        self._draw()

    def _draw(self, end=""):
        done = int(self.width * self.count / self.total)
        elapsed = time.perf_counter() - self.start
        bar = "#" * done + "." * (self.width - done)
        self.stream.write(f"\r{self.desc} [{bar}] {self.count}/{self.total} {elapsed:.1f}s{end}")
        self.stream.flush()

    def update(self, k=1):
        with self.lock:
            self.count = min(self.count + k, self.total)
            self._draw()

    def close(self):
        with self.lock:
            self._draw(end="\n")


class _Null:
    def update(self, k=1):
        pass

    def close(self):
        pass


class progress:
    """Context manager yielding an object with ``update(k=1)``.

    Parameters
    ----------
    total : int
    desc : str
    enabled : bool
        ``False`` gives a no-op. When enabled, tqdm is used if installed,
        else a plain bar on stderr.
    """

    def __init__(self, total, desc, enabled):
        self.total, self.desc, self.enabled = total, desc, bool(enabled)
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            self.bar = _Null()
            return self.bar
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = _Bar(self.total, self.desc)
        else:
            self.bar = tqdm(total=self.total, desc=self.desc, leave=True)
        return self.bar

    def __exit__(self, *exc):
        self.bar.close()
        return False
