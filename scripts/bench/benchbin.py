"""Finding the fairgrpo binary a benchmark times (shared by the bench scripts)."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_binary(path, tool):
    """`path` as given, else under the working folder, else under the repository;
    exits with a message naming `tool` and the build command when it is not there."""
    if os.path.isabs(path) and os.path.exists(path):
        return path
    for base in (os.getcwd(), REPO):
        candidate = os.path.join(base, path)
        if os.path.exists(candidate):
            return candidate
    sys.exit(f"{tool}: no binary at {path}; build it with: swift build -c release --product fairgrpo")
