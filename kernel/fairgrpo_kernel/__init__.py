"""The Jupyter kernel for fairgrpo: a relay to `fairgrpo kernel` (see docs/kernel.md)."""

__version__ = "0.1.0"
