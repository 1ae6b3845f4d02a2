#!/usr/bin/env python3
"""The fairgrpo REPL as a person uses it: under a pseudo-terminal.

    python3 Tests/REPL/repl_pty_test.py .build/debug/fairgrpo

Starts the binary under a pty (with its history in a temporary file), types
lines and keys (Tab, Ctrl-C, Ctrl-D) and checks what appears on the screen:
numbered prompts, echoed values, `_` and `_N`, tab completion, continuation
lines, interrupting a line and a running loop, help, :commands, and the
history file. Prints one line per check and `N passed, N failed` last; exits
non-zero when a check fails. Python 3 standard library only.
"""
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

CTRL_C = "\x03"
CTRL_D = "\x04"
TAB = "\t"

# Control sequences a terminal would interpret rather than show.
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x07")


class Failure(Exception):
    pass


class Session:
    """One fairgrpo process on a pty; `screen` is everything it has shown."""

    def __init__(self, binary, history, workdir):
        self.raw = b""
        self.mark = 0  # offset in `screen` where the current step's output starts
        pid, fd = pty.fork()
        if pid == 0:
            env = dict(os.environ)
            env.update({
                "FAIRGRPO_HISTORY": history,
                "TERM": "xterm-256color",
                "INPUTRC": "/dev/null",
                "HOME": workdir,
                "SWIFT_BACKTRACE": "enable=no",
                "COLUMNS": "100",
                "LINES": "40",
            })
            os.chdir(workdir)
            try:
                os.execve(binary, [binary], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        self.status = None

    @property
    def screen(self):
        return ESCAPES.sub(b"", self.raw).replace(b"\r", b"").decode("utf-8", "replace")

    def _read(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the other side closed
            return None
        if not data:
            return None
        self.raw += data
        return True

    def send(self, text):
        self.mark = len(self.screen)
        os.write(self.fd, text.encode())

    def expect(self, pattern, timeout=5.0):
        """Waits until `pattern` (a regex) appears in the output since the last
        send; returns the match. Raises Failure with the output on timeout."""
        deadline = time.time() + timeout
        regex = re.compile(pattern)
        while True:
            m = regex.search(self.screen, self.mark)
            if m:
                return m
            left = deadline - time.time()
            if left <= 0:
                raise Failure(f"timed out waiting for {pattern!r}; output since last input:\n{self.screen[self.mark:]!r}")
            if self._read(min(left, 0.2)) is None:
                m = regex.search(self.screen, self.mark)
                if m:
                    return m
                raise Failure(f"fairgrpo closed the terminal while waiting for {pattern!r}; output:\n{self.screen[self.mark:]!r}")

    def settle(self, quiet=0.15, timeout=2.0):
        """Reads until nothing new arrives for `quiet` seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not self._read(quiet):
                return

    def since_mark(self):
        return self.screen[self.mark:]

    def wait(self, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self._read(0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
                return os.waitstatus_to_exitcode(status)
        raise Failure("fairgrpo did not exit")

    def kill(self):
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def run(binary):
    passed = failed = 0
    workdir = tempfile.mkdtemp(prefix="fairgrpo-repl-")
    history = os.path.join(workdir, "history")
    session = Session(binary, history, workdir)

    def check(name, step):
        nonlocal passed, failed
        try:
            step()
        except (Failure, AssertionError) as e:
            failed += 1
            print(f"FAIL {name}: {e}")
        else:
            passed += 1
            print(f"ok   {name}")

    def prompt(n):
        return re.escape(f"[{n}]> ")

    def enter(line, n_next, expect=None):
        """Types a line, waits for the next prompt, checks the output between."""
        session.send(line + "\n")
        session.expect(prompt(n_next))
        out = session.since_mark()
        if expect is not None:
            assert re.search(expect, out), f"expected {expect!r} after {line!r}, got {out!r}"
        return out

    def readme_session_at_80():
        """The README's session typed into an 80-column terminal: no table or
        report line is wider than the terminal (so nothing wraps)."""
        fcntl.ioctl(session.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 80, 0, 0))
        lines = [
            "data = demo()",
            'train, test = split(data, test=0.2, seed=1, stratify="label")',
            "p = policy(train, hidden=[64], seed=0)",
            'rt = trainer(p, train, method="fairgrpo", G=8, batch=128, lr=3e-3, seed=0)',
            "step(rt, 20, every=5)",
            "weights(rt)",
            "evaluate(p, test).table",
            "evaluate(p, test)",
            "history(rt)",
        ]
        start = len(session.raw)
        try:
            for line in lines:
                session.send(line + "\n")
                session.expect(r"\n\[\d+\]> $", timeout=120)
        finally:
            fcntl.ioctl(session.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
        # What the terminal shows: a carriage return redraws its line (the progress line).
        shown = "\n".join(l.rstrip("\r").split("\r")[-1]
                          for l in ESCAPES.sub(b"", session.raw[start:]).decode("utf-8", "replace").split("\n"))
        too_long = [l for l in shown.split("\n") if len(l) > 80]
        assert not too_long, f"lines wider than 80 columns: {too_long}"
        assert "rows × 16 columns" in shown and "PP_pct" in shown, shown

    def set_width_and_rows():
        """:set width/rows changes how tables print (options() is the same
        setting); a bad value is an error that says what is allowed."""
        def typed(line):
            start = len(session.raw)
            session.send(line + "\n")
            session.expect(r"\n\[\d+\]> $", timeout=60)
            return ESCAPES.sub(b"", session.raw[start:]).decode("utf-8", "replace").replace("\r", "")
        out = typed(":set")
        for name in ["width", "rows", "digits", "table_digits", "charts", "warnings"]:
            assert re.search(rf"\n{name} +", out), f"{name} not listed by :set: {out!r}"
        typed(":set width 50")
        typed(":set rows 6")
        out = typed("head(demo(), 10)")
        table = [l for l in out.split("\n")[1:] if l and not l.startswith("[")]
        assert table and max(len(l) for l in table) <= 50, f"lines wider than 50 columns: {table!r}"
        assert "… 4 more rows …" in out and "10 rows × 29 columns" in out, out
        out = typed(":set width 5")
        assert "width must be 0 (the terminal's) or a whole number from 20 to 10000, got" in out, out
        out = typed("options(width=0, rows=60)")
        assert "width: 0, rows: 60" in out, out
        out = typed("head(demo(), 10)")
        assert "more rows" not in out, out

    def discard():
        """Ctrl-C: throws away whatever is on the line."""
        session.send(CTRL_C)
        session.expect(r"\^C\n\[\d+\]> $")

    def startup():
        session.mark = 0
        m = session.expect(r"fairgrpo \d+\.\d+\.\d+[\s\S]*?:help for help", timeout=15)
        session.expect(prompt(1), timeout=15)

    def numbered_prompts_and_echo():
        enter("40 + 2", 2, r"^40 \+ 2\n42\n\[2\]> $")
        enter("x = 41", 3, r"^x = 41\n\[3\]> $")  # an assignment shows nothing
        enter('"quoted"', 4, r'\n"quoted"\n')  # strings echo with quotes
        enter("none", 5, r"^none\n\[5\]> $")  # none is not echoed

    def last_values():
        enter("_1 + 1", 6, r"\n43\n")
        enter("_ * 2", 7, r"\n86\n")
        enter("_5", 8, r"\n43\n")

    def complete_variable():
        enter("learning_rate = 0.5", 9)
        session.send("learn" + TAB)
        session.expect(r"learning_rate$")
        session.send("\n")
        session.expect(r"\n0\.5\n" + prompt(10))

    def complete_builtin():
        session.send("sor" + TAB)
        session.expect(r"sorted\($")
        session.send("[3, 1, 2])\n")
        session.expect(r"\n\[1, 2, 3\]\n" + prompt(11))

    def complete_member():
        enter("config = {alpha: 1, beta: 2}", 12)
        session.send("config.al" + TAB)
        session.expect(r"config\.alpha$")
        session.send("\n")
        session.expect(r"\n1\n" + prompt(13))

    def complete_keyword_argument():
        session.send("round(3.14159, dig" + TAB)
        session.expect(r"round\(3\.14159, digits=$")
        session.send("2)\n")
        session.expect(r"\n3\.14\n" + prompt(14))
        # Several fit: a second Tab lists them, the line stays as typed.
        session.send("range(st" + TAB + TAB)
        out = session.expect(r"start=.*\n" + prompt(14) + r"range\(st$").group(0)
        for name in ["start=", "stop=", "step="]:
            assert name in out, f"{name} missing from the listed completions {out!r}"
        discard()

    def complete_path():
        os.makedirs(os.path.join(workdir, "data"), exist_ok=True)
        open(os.path.join(workdir, "data", "cohort_unique.csv"), "w").close()
        session.send('path = "da' + TAB)
        session.expect(r'path = "data/$')
        session.send("coh" + TAB)
        session.expect(r'cohort_unique\.csv$')
        session.send('"\n')
        session.expect(prompt(15))
        enter("path", 16, r'\n"data/cohort_unique\.csv"\n')

    def continuation_prompt():
        session.send("[1,\n")
        session.expect(r"\[1,\n\.\.\.\.> $")
        session.send("2,\n")
        session.expect(r"2,\n\.\.\.\.> $")
        session.send("3]\n")
        session.expect(r"3\]\n\[1, 2, 3\]\n" + prompt(17))

    def ctrl_c_discards_line():
        session.send("this is not code")
        session.expect(r"this is not code$")
        discard()
        out = enter("1 + 1", 18)
        assert "error" not in out, f"the discarded line was run: {out!r}"
        assert re.search(r"\n2\n", out), out

    def help_and_vars():
        enter("sorted?", 18, r"sorted\(items[^\n]*\)\n\nA sorted copy")
        enter(":help len", 18, r"len\(x\)\n\nThe number of items")
        out = enter(":vars", 18)
        assert re.search(r"learning_rate +number +0\.5", out), out
        assert re.search(r"config +record +\{alpha: 1, beta: 2\}", out), out
        enter("nosuchname?", 18, r"no builtin or variable named 'nosuchname'")

    def history_and_time():
        out = enter(":history learn", 18)
        lines = [l for l in out.split("\n")[1:] if l and not l.startswith("[")]
        assert lines and all("learn" in l for l in lines), out
        assert any(re.match(r"\d+ +learning_rate = 0\.5$", l) for l in lines), out
        enter(":time 2 + 2", 19, r"\n4\ntime: [0-9.]+ (µs|ms|s)\n")

    def save_run_reset():
        script = os.path.join(workdir, "saved.fg")
        enter(f":save {script}", 19, r"saved 18 cells to ")
        text = open(script).read()
        assert "learning_rate = 0.5" in text and "this is not code" not in text, text
        enter(":reset", 1, r"session reset")
        enter(":vars", 1, r"no variables yet")
        # Replayed from cell 1, so _N in the script refer to the same cells.
        enter(f":run {script}", 19, r"\n42\n")
        enter("learning_rate * 2", 20, r"\n1\n")
        enter("config.beta", 21, r"\n2\n")

    def export():
        md, nb = os.path.join(workdir, "s.md"), os.path.join(workdir, "s.ipynb")
        enter(f":export {md}", 21, r"wrote .*s\.md \(20 cells\)")
        enter(f":export {nb}", 21, r"wrote .*s\.ipynb \(20 cells\)")
        text = open(md).read()
        assert text.startswith("# fairgrpo session\n") and "```fg\nlearning_rate * 2\n```\n\n```output\n1\n```" in text, text[:400]
        notebook = json.load(open(nb))
        assert notebook["nbformat"] == 4, notebook.get("nbformat")
        assert len(notebook["cells"]) == 20
        last = notebook["cells"][-1]
        assert "".join(last["source"]) == "config.beta", last
        assert "".join(last["outputs"][0]["text"]) == "2\n", last

    def interrupt_running_loop():
        enter("n = 0", 22)
        session.send("for i in range(100000000) { n = n + 1 }\n")
        session.expect(r"n = n \+ 1 \}\n")
        time.sleep(0.5)
        session.send(CTRL_C)
        session.expect(r"interrupted\n" + prompt(23), timeout=5)
        # Stopped between iterations: the loop variable and the body agree.
        enter("n > 0 and n == i + 1", 24, r"\ntrue\n")
        enter("learning_rate", 25, r"\n0\.5\n")

    def unknown_command():
        enter(":frobnicate", 25, r"unknown command :frobnicate")

    def plot_prints_path_and_size():
        # An earlier session's auto-named plot is kept: this one takes the next free name.
        open(os.path.join(workdir, "plot-1.png"), "wb").write(b"an earlier session's chart")
        out = enter('plot([1, 4, 2, 8], title="tiny")', 26, r"wrote plot-2\.png \(800×480, \d+ KB\)  [▁▂▃▄▅▆▇█]{4}\n")
        assert open(os.path.join(workdir, "plot-1.png"), "rb").read() == b"an earlier session's chart", "plot-1.png was replaced"
        # The chart is drawn in the terminal too: title, y ticks, the axis, braille dots in a colour.
        assert "tiny" in out and "┤" in out and "└─" in out, out
        assert re.search(r"[\u2801-\u28ff]", out), f"no braille dots in {out!r}"
        assert b"\x1b[38;5;214m" in session.raw, "the series is not coloured"
        path = os.path.join(workdir, "plot-2.png")
        data = open(path, "rb").read()
        assert data.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG file"
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (800, 480), (width, height)
        kb = int(re.search(r"(\d+) KB", out).group(1))
        assert kb == len(data) // 1024 + 1, (kb, len(data))

    def step_shows_progress():
        enter('d = demo(n=600)', 27)
        enter('t = trainer(policy(d, hidden=[8]), d, G=4, batch=16)', 28)
        session.send("step(t, 300)\n")
        session.expect(prompt(29), timeout=120)
        out = session.since_mark()
        # What stays on the screen: the input line, the summary line and at most a warning line.
        lines = [l.rstrip("\r").split("\r")[-1] for l in ESCAPES.sub(b"", session.raw).decode("utf-8", "replace").split("\n")]
        lines = lines[lines.index(next(l for l in reversed(lines) if l.startswith("[28]> "))) + 1:]
        lines = [l for l in lines if l.strip() and not l.startswith("[29]> ")]
        assert len(lines) <= 3 and any(l.startswith("step 300 · 300 steps in ") for l in lines), f"step(t, 300) left {len(lines)} lines: {lines!r}"
        raw = session.raw.decode("utf-8", "replace")
        assert re.search(r"\rstep \d+/300 [█░]+ [0-9.]+ steps/s · ETA ", raw), "no progress line redrawn in place"
        enter("options(charts=false)", 30)
        out = enter("plot([1, 2, 3])", 31, r"wrote plot-\d+\.png")
        assert "┤" not in out, f"a chart was drawn with charts off: {out!r}"

    def second_session_keeps_plots():
        before = {f: open(os.path.join(workdir, f), "rb").read() for f in os.listdir(workdir) if re.match(r"plot-\d+\.png$", f)}
        assert len(before) >= 2, before.keys()
        other = Session(binary, history, workdir)
        try:
            other.expect(prompt(1), timeout=15)
            other.send("plot([3, 2, 1])\n")
            name = other.expect(r"wrote (plot-\d+\.png)").group(1)
            other.expect(prompt(2))
        finally:
            other.kill()
        assert name not in before, f"the second session reused {name}"
        for f, data in before.items():
            assert open(os.path.join(workdir, f), "rb").read() == data, f"{f} was replaced"

    def no_escape_codes():
        assert b"\x1b[?2004" not in session.raw, "bracketed-paste codes in the output"
        # Chart colours and the progress line's erase are the only escapes fairgrpo writes itself.
        data = open(history, "rb").read()
        assert b"\x1b" not in data, f"escape codes in the history file: {data!r}"

    def ctrl_d_quits():
        session.send(CTRL_D)
        status = session.wait()
        assert status == 0, f"exit status {status}"
        lines = open(history, encoding="utf-8").read().split("\n")
        for expected in ["40 + 2", "learning_rate = 0.5", 'config = {alpha: 1, beta: 2}', "round(3.14159, digits=2)",
                         'path = "data/cohort_unique.csv"', ":vars", "for i in range(100000000) { n = n + 1 }"]:
            assert expected in lines, f"{expected!r} not in the history file: {lines!r}"
        assert "this is not code" not in lines, "a discarded line reached the history"

    def unwritable_history_warns_once():
        other = Session(binary, os.path.join(workdir, "no-such-folder", "history"), workdir)
        try:
            other.expect(prompt(1), timeout=15)
            for n, line in enumerate(["1 + 1", "2 + 2", "3 + 3"], start=2):
                other.send(line + "\n")
                other.expect(prompt(n))
            other.send(CTRL_D)
            status = other.wait()
            assert status == 0, f"exit status {status}"
            warnings = other.screen.count("cannot save the input history")
            assert warnings == 1, f"{warnings} warnings about the history file: {other.screen!r}"
            assert "no-such-folder/history: No such file or directory" in other.screen, other.screen
        finally:
            other.kill()

    steps = [
        ("banner and first prompt [1]>", startup),
        ("numbered prompts and value echo", numbered_prompts_and_echo),
        ("_ and _N", last_values),
        ("Tab completes a variable name", complete_variable),
        ("Tab completes a builtin name", complete_builtin),
        ("Tab completes a record field after '.'", complete_member),
        ("Tab completes keyword arguments inside a call", complete_keyword_argument),
        ("Tab completes a path inside a string", complete_path),
        ("continuation prompt for an open bracket", continuation_prompt),
        ("Ctrl-C discards a half-typed line", ctrl_c_discards_line),
        ("name?, :help name and :vars", help_and_vars),
        (":history pattern and :time", history_and_time),
        (":save, :reset and :run", save_run_reset),
        (":export .md and .ipynb", export),
        ("Ctrl-C stops a running loop, variables intact", interrupt_running_loop),
        ("unknown :command", unknown_command),
        ("a plot prints its path, size and a sparkline", plot_prints_path_and_size),
        ("step(t, 300) shows one progress line and a summary", step_shows_progress),
        ("the README session at 80 columns: nothing wraps", readme_session_at_80),
        (":set width/rows and options() change how tables print", set_width_and_rows),
        ("a second session's auto-named plot keeps the first's", second_session_keeps_plots),
        ("no escape codes in output or history", no_escape_codes),
        ("Ctrl-D quits with status 0; history file holds the inputs", ctrl_d_quits),
        ("an unwritable history file: one warning", unwritable_history_warns_once),
    ]
    started = time.time()
    try:
        for name, step in steps:
            check(name, step)
            if failed and name == "banner and first prompt [1]>":
                break  # nothing else can work
    finally:
        session.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"REPL: {time.time() - started:.1f} s")
    return passed, failed


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: repl_pty_test.py path/to/fairgrpo")
    binary = os.path.abspath(sys.argv[1])
    if not os.access(binary, os.X_OK):
        print(f"FAIL {binary} is not an executable; build it first (swift build)")
        print("0 passed, 1 failed")
        sys.exit(1)
    passed, failed = run(binary)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
