"""The fairgrpo Jupyter kernel, through Jupyter's messaging protocol.

Runs jupyter_kernel_test's standard suite against the installed `fairgrpo`
kernel spec, then checks what the standard suite does not: HTML tables,
structured errors, the pager, and interrupting a long step() with the
trainer surviving. Run by scripts/test-jupyter.
"""

import json
import os
import re
import tempfile
import time
import unittest

import subprocess

import jupyter_kernel_test
import nbformat
from nbclient import NotebookClient
from jupyter_client.manager import start_new_kernel

TIMEOUT = 60


class FairgrpoKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "fairgrpo"
    language_name = "fairgrpo"
    file_extension = ".fg"

    code_hello_world = 'print("hello, world")'
    code_page_something = "step?"
    code_generate_error = "undefined_name + 1"
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "[1, 2] + [3]", "result": "[1, 2, 3]"},
    ]
    code_display_data = [
        {"code": "plot([1, 4, 9, 16], title=\"squares\")", "mime": "image/png"},
    ]
    completion_samples = [
        {"text": "spl", "matches": {"split("}},
        {"text": "x = wei", "matches": {"weights("}},
    ]
    complete_code_samples = ["1 + 2", "x = [1, 2]", "step?", ":vars"]
    incomplete_code_samples = ["f(1,", "x = [1,\n 2", 'print("open']
    invalid_code_samples = ["x = )", "1 +* 2"]
    code_inspect_sample = "policy"


class RichOutputTests(unittest.TestCase):
    """What a notebook shows beyond text, and errors as data."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="fairgrpo")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def reply_to(self, msg_id, timeout=TIMEOUT):
        """The shell reply to msg_id (skipping replies to earlier requests, such as start-up's kernel_info)."""
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def run_cell(self, code, timeout=TIMEOUT):
        """The reply and the cell's iopub messages (type, content)."""
        msg_id = self.kc.execute(code)
        reply = self.reply_to(msg_id, timeout)
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            outputs.append((msg["msg_type"], msg["content"]))
        return reply["content"], outputs

    def test_table_as_html(self):
        self.run_cell("d = demo()\ntt = trainer(policy(d, seed=0), d, G=4, batch=32, seed=0)\nstep(tt, 3)")
        reply, outputs = self.run_cell("history(tt)")
        self.assertEqual(reply["status"], "ok", reply)
        results = [c for t, c in outputs if t == "execute_result"]
        self.assertEqual(len(results), 1)
        data = results[0]["data"]
        self.assertIn("text/html", data)
        html = data["text/html"]
        self.assertIn("<table>", html)
        self.assertIn("overflow: auto", html)  # scrolls when large
        # Every header of the text table is a column of the HTML one, in order.
        header = data["text/plain"].splitlines()[0].split()
        positions = [html.index(">" + name + "<") for name in header]
        self.assertEqual(positions, sorted(positions))
        self.assertIn("text-align: right", html)  # numbers right-aligned
        # Numbers read as in the terminal: the first row's cells, in order.
        first_row = data["text/plain"].splitlines()[1].split()
        body = html.split("<tbody>")[1]
        # The terminal's text wraps wide tables into blocks of columns: its first block is a prefix.
        html_row = re.findall(r">([^<]*)</td>", body.split("</tr>")[0])
        self.assertEqual(html_row[: len(first_row)], first_row)
        self.assertEqual(body.count("<tr>"), 3)

    def test_step_progress_updates_one_display(self):
        self.run_cell("pd = demo()\npt = trainer(policy(pd, seed=0), pd, G=4, batch=64, seed=0)")
        reply, outputs = self.run_cell("step(pt, 30)")
        self.assertEqual(reply["status"], "ok", reply)
        shown = [c for t, c in outputs if t == "display_data" and "display_id" in c.get("transient", {})]
        self.assertEqual(len(shown), 1)  # one progress display per cell ...
        display_id = shown[0]["transient"]["display_id"]
        updates = [c for t, c in outputs if t == "update_display_data"]
        self.assertTrue(all(u["transient"]["display_id"] == display_id for u in updates))  # ... updated in place
        lines = [c["data"]["text/plain"] for c in shown + updates]
        self.assertRegex(lines[0], r"^(\w+: )?step 1/30 ")  # trainers are named once a session has several
        self.assertRegex(lines[-1], r"^(\w+: )?step \d+/30 ")  # the display keeps the last state drawn
        # What stays is the summary line, as on a terminal.
        self.assertIn("step 30 · 30 steps in", "".join(c["text"] for t, c in outputs if t == "stream"))

    def test_error_is_structured(self):
        reply, outputs = self.run_cell("x = 1\ny = x + nope")
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "RuntimeError")
        self.assertIn("nope", reply["evalue"])
        tb = reply["traceback"]
        self.assertRegex(tb[0], r"^<\d+>:2:9: error: name 'nope' is not defined")
        self.assertEqual(tb[1].strip(), "y = x + nope")
        self.assertEqual(tb[2].index("^"), tb[1].index("nope"))  # the caret under the name
        errors = [c for t, c in outputs if t == "error"]
        self.assertEqual(errors[0]["traceback"], tb)
        # The session survives: x is still defined.
        reply, outputs = self.run_cell("x")
        self.assertEqual([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"], ["1"])

    def test_syntax_error(self):
        reply, _ = self.run_cell("y = (1 +")
        # An unterminated bracket at the end of a cell is a syntax error when run.
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "SyntaxError")

    def test_help_in_pager(self):
        reply, _ = self.run_cell("weights?")
        pages = [p for p in reply["payload"] if p["source"] == "page"]
        self.assertEqual(len(pages), 1)
        self.assertTrue(pages[0]["data"]["text/plain"].startswith("weights(trainer"))

    def test_interrupt_long_step_keeps_trainer(self):
        self.run_cell('data = demo()\np = policy(data, seed=0)\nt = trainer(p, data, G=8, batch=64, seed=0)')
        msg_id = self.kc.execute("step(t, 100000, every=100000)\nafter = t.steps")
        time.sleep(3)
        started = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.reply_to(msg_id)
        self.assertLess(time.monotonic() - started, 20, "the interrupt took too long")
        self.assertEqual(reply["content"]["status"], "ok", reply["content"])
        texts = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            if msg["msg_type"] == "stream":
                texts.append(msg["content"]["text"])
        text = "".join(texts)
        self.assertRegex(text, r"interrupted after step (\d+); the trainer is consistent")
        done = int(text.split("interrupted after step ")[1].split(";")[0])
        self.assertGreater(done, 0)
        # The trainer and the variables survive, and the notebook carries on.
        _, outputs = self.run_cell("t.steps")
        self.assertEqual([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"], [str(done)])
        _, outputs = self.run_cell("step(t, 1)\nt.steps")
        self.assertEqual([c["data"]["text/plain"] for t, c in outputs if t == "execute_result"], [str(done + 1)])


class BinaryLookupTests(unittest.TestCase):
    """The relay finds fairgrpo through FAIRGRPO_BIN or PATH, and says what to do when it cannot."""

    def test_lookup(self):
        from unittest import mock
        from fairgrpo_kernel.kernel import find_binary

        real = os.environ["FAIRGRPO_BIN"]
        with mock.patch.dict(os.environ, {"FAIRGRPO_BIN": real}):
            self.assertEqual(find_binary(), real)
        with mock.patch.dict(os.environ, {"FAIRGRPO_BIN": "/no/such/fairgrpo"}):
            with self.assertRaisesRegex(RuntimeError, "FAIRGRPO_BIN is '/no/such/fairgrpo', which is not an executable"):
                find_binary()
        environment = {k: v for k, v in os.environ.items() if k != "FAIRGRPO_BIN"}
        with mock.patch.dict(os.environ, dict(environment, PATH=os.path.dirname(real)), clear=True):
            self.assertEqual(find_binary(), os.path.join(os.path.dirname(real), "fairgrpo"))
        with mock.patch.dict(os.environ, dict(environment, PATH="/nonexistent"), clear=True):
            with self.assertRaisesRegex(RuntimeError, "cannot find the fairgrpo binary: put it on PATH or set FAIRGRPO_BIN"):
                find_binary()


class ExportTests(unittest.TestCase):
    """A notebook fairgrpo exports names this kernel and runs again under it."""

    def test_exported_notebook_reruns(self):
        with open("export.fg", "w") as f:
            f.write('x = 2\n\nplot([1, 2, 3], to="export.png")\n\nx * 21\n')
        subprocess.run([os.environ["FAIRGRPO_BIN"], "run", "export.fg", "--notebook", "export.ipynb"],
                       check=True, stdout=subprocess.DEVNULL)
        with open("export.ipynb") as f:
            raw = json.load(f)
        self.assertTrue(all("id" in cell for cell in raw["cells"]), "nbformat 4.5 cells need ids")
        nb = nbformat.read("export.ipynb", as_version=4)
        nbformat.validate(nb)
        self.assertEqual(nb.metadata.kernelspec.name, "fairgrpo")
        NotebookClient(nb, kernel_name=nb.metadata.kernelspec.name, timeout=TIMEOUT).execute()
        nbformat.validate(nb)
        plot_outputs, last_outputs = nb.cells[1].outputs, nb.cells[2].outputs
        self.assertIn("image/png", [key for o in plot_outputs if o.output_type == "display_data" for key in o.data])
        self.assertEqual([o.data["text/plain"] for o in last_outputs if o.output_type == "execute_result"], ["42"])


if __name__ == "__main__":
    # Kernels start in the current directory and write their plots there.
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        unittest.main(verbosity=2)
