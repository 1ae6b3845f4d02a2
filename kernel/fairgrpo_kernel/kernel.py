"""Relays Jupyter's messages to `fairgrpo kernel` and its events back.

The protocol (JSON lines over the child's standard input and output) is in
docs/kernel.md. Nothing here interprets fairgrpo: output, rich data, errors,
completion and help all come from the binary.
"""

import json
import os
import select
import shutil
import signal
import subprocess
import uuid

from ipykernel.kernelbase import Kernel

from . import __version__


def find_binary():
    """The fairgrpo binary: FAIRGRPO_BIN, else `fairgrpo` on PATH; raises with what to do."""
    named = os.environ.get("FAIRGRPO_BIN")
    if named:
        if os.path.isfile(named) and os.access(named, os.X_OK):
            return named
        raise RuntimeError(f"FAIRGRPO_BIN is {named!r}, which is not an executable file")
    found = shutil.which("fairgrpo")
    if found:
        return found
    raise RuntimeError(
        "cannot find the fairgrpo binary: put it on PATH or set FAIRGRPO_BIN to its path "
        "(scripts/jupyter in the fairgrpo repository builds it and sets this up)")


class Child:
    """`fairgrpo kernel` in its own session, so only forwarded interrupts reach it."""

    def __init__(self, binary):
        self.process = subprocess.Popen([binary, "kernel"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        start_new_session=True)
        self.buffer = b""
        self.next_id = 0
        ready = self.event()
        if ready is None or ready.get("type") != "ready":
            raise RuntimeError(f"{binary} kernel did not start (got {ready!r})")

    def request(self, kind, **fields):
        self.next_id += 1
        line = json.dumps(dict(id=self.next_id, type=kind, **fields)) + "\n"
        self.process.stdin.write(line.encode())
        self.process.stdin.flush()

    def event(self):
        """The next event, or None when the child has ended. Reads the pipe
        directly so that a KeyboardInterrupt never loses a partial line."""
        fd = self.process.stdout.fileno()
        while b"\n" not in self.buffer:
            select.select([fd], [], [])
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def reply(self, kind, **fields):
        """Sends a request and returns its reply (for requests without output)."""
        self.request(kind, **fields)
        while True:
            event = self.event()
            if event is None:
                raise RuntimeError("the fairgrpo kernel process ended")
            if event["type"] == "reply":
                return event

    def interrupt(self):
        self.process.send_signal(signal.SIGINT)


class FairgrpoKernel(Kernel):
    implementation = "fairgrpo"
    implementation_version = __version__
    language = "fairgrpo"
    language_version = __version__
    language_info = {"name": "fairgrpo", "mimetype": "text/x-fairgrpo", "file_extension": ".fg",
                     "pygments_lexer": "python", "codemirror_mode": "python"}
    banner = "fairgrpo"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.child = None
        self.startup_error = None
        try:
            self.child = Child(find_binary())
            info = self.child.reply("kernel_info")
            self.banner = info.get("banner", self.banner)
            self.language_info = info.get("language_info", self.language_info)
            self.implementation_version = info.get("implementation_version", self.implementation_version)
        except (OSError, RuntimeError) as error:
            self.startup_error = f"fairgrpo kernel: {error}"
            self.log.error(self.startup_error)

    def _alive(self):
        return self.child is not None and self.child.process.poll() is None

    def _unavailable(self, silent):
        message = self.startup_error or "the fairgrpo kernel process has ended; restart the kernel"
        if not silent:
            self.send_response(self.iopub_socket, "stream", {"name": "stderr", "text": message + "\n"})
        return {"status": "error", "ename": "KernelUnavailable", "evalue": message, "traceback": [message],
                "execution_count": self.execution_count}

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False):
        if not self._alive():
            return self._unavailable(silent)
        self.child.request("execute", code=code)
        progress_id = None
        while True:
            try:
                event = self.child.event()
            except KeyboardInterrupt:
                # The stop button: the binary stops at its next safe point and
                # still answers, so keep relaying until its reply.
                self.child.interrupt()
                continue
            if event is None:
                return self._unavailable(silent)
            kind = event["type"]
            if kind == "reply":
                break
            if silent:
                continue
            if kind == "stream":
                self.send_response(self.iopub_socket, "stream", {"name": event["name"], "text": event["text"]})
            elif kind == "display":
                self.send_response(self.iopub_socket, "display_data",
                                   {"data": event["data"], "metadata": event.get("metadata", {})})
            elif kind == "result":
                self.send_response(self.iopub_socket, "execute_result",
                                   {"data": event["data"], "metadata": {}, "execution_count": self.execution_count})
            elif kind == "progress":
                # One line, updated in place for the rest of the cell (emptied when the work ends).
                content = {"data": {"text/plain": event["text"].rstrip("\n")}, "metadata": {}}
                if progress_id is None:
                    progress_id = uuid.uuid4().hex
                    content["transient"] = {"display_id": progress_id}
                    self.send_response(self.iopub_socket, "display_data", content)
                else:
                    content["transient"] = {"display_id": progress_id}
                    self.send_response(self.iopub_socket, "update_display_data", content)
        payload = []
        if "page" in event:
            payload.append({"source": "page", "data": {"text/plain": event["page"]}, "start": 0})
        if event["status"] == "error":
            error = {"ename": event["ename"], "evalue": event["evalue"], "traceback": event.get("traceback", [])}
            if not silent:
                self.send_response(self.iopub_socket, "error", error)
            return dict(status="error", execution_count=self.execution_count, **error)
        return {"status": "ok", "execution_count": self.execution_count, "payload": payload, "user_expressions": {}}

    def do_complete(self, code, cursor_pos):
        if not self._alive():
            return {"status": "ok", "matches": [], "cursor_start": cursor_pos, "cursor_end": cursor_pos, "metadata": {}}
        reply = self.child.reply("complete", code=code, cursor_pos=cursor_pos)
        return {"status": "ok", "matches": reply["matches"], "cursor_start": reply["cursor_start"],
                "cursor_end": reply["cursor_end"], "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        if not self._alive():
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        reply = self.child.reply("inspect", code=code, cursor_pos=cursor_pos, detail_level=detail_level)
        return {"status": "ok", "found": reply["found"], "data": reply["data"], "metadata": {}}

    def do_is_complete(self, code):
        if not self._alive():
            return {"status": "unknown"}
        reply = self.child.reply("is_complete", code=code)
        return {"status": reply["status"], "indent": reply.get("indent", "")}

    def do_shutdown(self, restart):
        if self._alive():
            try:
                self.child.reply("shutdown")
                self.child.process.wait(timeout=5)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                self.child.process.kill()
        return {"status": "ok", "restart": restart}
