"""The `karrow` command of the Python package: replaces this process with the
C++ CLI shipped inside the package (karrow/bin/karrow), so flags, output,
signals and exit codes are exactly those of the CLI."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    binary = Path(__file__).resolve().parent / "bin" / "karrow"
    if not binary.is_file():
        sys.exit(f"karrow: the CLI is not installed at {binary}; reinstall the karrow package")
    os.execv(binary, ["karrow", *sys.argv[1:]])


if __name__ == "__main__":
    main()
