"""python -m fairgrpo_kernel install [--user | --sys-prefix | --prefix P] [--fairgrpo-bin PATH]"""

import argparse
import json
import os
import shutil
import sys
import tempfile


def install(argv):
    from jupyter_client.kernelspec import KernelSpecManager

    parser = argparse.ArgumentParser(prog="python -m fairgrpo_kernel install",
                                     description="Register the fairgrpo kernel with Jupyter.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="in this Python's prefix (a virtual environment)")
    where.add_argument("--prefix", help="under this prefix")
    parser.add_argument("--fairgrpo-bin", help="the fairgrpo binary to run (default: FAIRGRPO_BIN, else fairgrpo on PATH)")
    args = parser.parse_args(argv)

    spec = {
        "argv": [sys.executable, "-m", "fairgrpo_kernel", "-f", "{connection_file}"],
        "display_name": "fairgrpo",
        "language": "fairgrpo",
        "interrupt_mode": "signal",
    }
    if args.fairgrpo_bin:
        binary = os.path.abspath(args.fairgrpo_bin)
        if not os.access(binary, os.X_OK):
            sys.exit(f"fairgrpo_kernel: {binary} is not an executable file")
        spec["env"] = {"FAIRGRPO_BIN": binary}
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "kernel.json"), "w") as f:
            json.dump(spec, f, indent=1)
        prefix = sys.prefix if args.sys_prefix else args.prefix
        path = KernelSpecManager().install_kernel_spec(folder, "fairgrpo", user=args.user, prefix=prefix)
    print(f"installed the fairgrpo kernel spec in {path}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "install":
        install(sys.argv[2:])
        return
    from ipykernel.kernelapp import IPKernelApp
    from .kernel import FairgrpoKernel

    IPKernelApp.launch_instance(kernel_class=FairgrpoKernel)


if __name__ == "__main__":
    main()
