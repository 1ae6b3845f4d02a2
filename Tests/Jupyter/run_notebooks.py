"""Runs every tutorial notebook with the fairgrpo kernel through nbclient, as
Jupyter would (the kernel starts in the notebook's folder), and checks each
cell's output against the tutorial's Markdown the way `fairgrpo doctest` does
(`fairgrpo notebook --compare`). Run by scripts/test-jupyter.

    python Tests/Jupyter/run_notebooks.py FAIRGRPO_BIN OUT_DIR tutorials/*.ipynb
"""

import os
import subprocess
import sys
import time

import nbformat
from nbclient import NotebookClient


def main():
    binary, out_dir, notebooks = sys.argv[1], sys.argv[2], sys.argv[3:]
    # Without the progress line, step() prints its periodic log lines, as a
    # script and `fairgrpo doctest` do, so the outputs compare.
    os.environ["FAIRGRPO_PROGRESS"] = "off"
    os.makedirs(out_dir, exist_ok=True)
    failed = []
    for path in notebooks:
        started = time.monotonic()
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        # Tutorials show errors on purpose; the comparison decides what is wrong.
        client = NotebookClient(nb, kernel_name="fairgrpo", timeout=900, allow_errors=True,
                                resources={"metadata": {"path": os.path.dirname(path) or "."}})
        client.execute()
        nbformat.validate(nb)
        executed = os.path.join(out_dir, os.path.basename(path))
        nbformat.write(nb, executed)
        markdown = path[: -len(".ipynb")] + ".md"
        result = subprocess.run([binary, "notebook", "--compare", executed, markdown])
        print(f"  ({time.monotonic() - started:.1f} s)", flush=True)
        if result.returncode != 0:
            failed.append(path)
    if failed:
        print("notebooks whose outputs differ from their Markdown: " + " ".join(failed))
        sys.exit(1)
    print(f"{len(notebooks)} tutorial notebooks ran with the fairgrpo kernel and matched their Markdown")


if __name__ == "__main__":
    main()
