"""The dealkit kernel's own protocol behaviour, beyond what jupyter_kernel_test samples: versions, tracebacks in
cell lines, type errors, shorthand of earlier cells' variables, no aborted requests after an error, interrupt,
heartbeat while busy, shutdown. Run through run.py (kernel started outside the repository). Expected values are
written down by hand (line numbers counted in the cells below) or read from independent sources (package.json
files, `node --version`).
"""

import json
import os
import socket
import subprocess
import sys
import time
import unittest
from queue import Empty

from jupyter_client.manager import start_new_kernel

ROOT = os.environ["DEALKIT_ROOT"]
# Generous: on a busy shared machine a kernel takes far longer to start and to run its first import than idle.
TIMEOUT = 180
STARTUP_TIMEOUT = 300
KERNEL_INTERNALS = ("evalmachine", "executor.js", "node:vm", "node:internal", "tslab/dist", "kernel/protocol")


def package_version(*parts):
    with open(os.path.join(ROOT, *parts, "package.json"), encoding="utf-8") as f:
        return json.load(f)["version"]


class KernelSession:
    def __init__(self):
        self.km, self.kc = start_new_kernel(kernel_name="dealkit", startup_timeout=STARTUP_TIMEOUT)

    def reply_to(self, msg_id, timeout=TIMEOUT):
        while True:
            msg = self.kc.get_shell_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def outputs_of(self, msg_id):
        """The iopub outputs of a request, up to its idle status."""
        outs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                return outs
            if kind not in ("status", "execute_input"):
                outs.append(msg)

    def execute(self, code, **kw):
        msg_id = self.kc.execute(code, **kw)
        reply = self.reply_to(msg_id)
        return reply["content"], self.outputs_of(msg_id)

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


class DealkitProtocolTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = KernelSession()

    @classmethod
    def tearDownClass(cls):
        cls.k.close()

    def value(self, code):
        content, outs = self.k.execute(code)
        self.assertEqual(content["status"], "ok", content)
        results = [m["content"] for m in outs if m["msg_type"] == "execute_result"]
        self.assertEqual(len(results), 1, outs)
        self.assertEqual(results[0]["execution_count"], content["execution_count"])
        return results[0]["data"]["text/plain"]

    def error(self, code):
        content, outs = self.k.execute(code)
        self.assertEqual(content["status"], "error", content)
        self.assertEqual([m["msg_type"] for m in outs if m["msg_type"] != "stream"], ["error"])
        err = outs[-1]["content"]
        for key in ("ename", "evalue", "traceback"):
            self.assertEqual(err[key], content[key])
        text = "\n".join(err["traceback"])
        for internal in KERNEL_INTERNALS:
            self.assertNotIn(internal, text)
        return err

    def test_kernel_info_has_true_versions(self):
        msg_id = self.k.kc.kernel_info()
        info = self.k.reply_to(msg_id)["content"]
        self.assertEqual(info["status"], "ok")
        self.assertEqual(info["protocol_version"], "5.3")
        self.assertEqual(info["implementation"], "dealkit")
        self.assertEqual(info["implementation_version"], package_version())
        typescript = package_version("node_modules", "@tslab", "typescript-for-tslab")
        self.assertEqual(info["language_info"]["name"], "typescript")
        self.assertEqual(info["language_info"]["version"], typescript)
        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
        self.assertIn(f"Node.js {node.lstrip('v')}", info["banner"])
        self.assertIn(f"TypeScript {typescript}", info["banner"])
        self.assertIn(f"tslab {package_version('node_modules', 'tslab')}", info["banner"])

    def test_runs_outside_the_repository_and_imports_dealkit(self):
        self.assertEqual(self.value("process.cwd()"), repr(os.getcwd()))
        self.assertFalse(os.getcwd().startswith(ROOT))
        self.assertEqual(self.value('import { VERSION } from "dealkit";\nVERSION'), repr(package_version()))

    def test_runtime_error_traceback_in_cell_lines(self):
        content, _ = self.k.execute("function explode(n: number) {\n  if (n > 2) {\n    throw new RangeError(`too big: ${n}`);\n  }\n  return n;\n}")
        defined = content["execution_count"]
        err = self.error("const small = explode(1);\n\nexplode(small + 4);")
        self.assertEqual(err["ename"], "RangeError")
        self.assertEqual(err["evalue"], "too big: 5")
        n = defined + 1
        tb = err["traceback"]
        # Where it happened: the cell, the line, the code, a caret under `new` (column 11).
        self.assertEqual(tb[:3], [f"In[{defined}]:3", "    throw new RangeError(`too big: ${n}`);", " " * 10 + "^"])
        self.assertIn("RangeError: too big: 5", tb)
        self.assertIn(f"    at explode (In[{defined}]:3:11)", tb)
        self.assertIn(f"    at In[{n}]:3:1", tb)

    def test_async_error_traceback(self):
        err = self.error("await new Promise((r) => setTimeout(r, 10));\nconst o: any = null;\no.field;")
        self.assertEqual(err["ename"], "TypeError")
        self.assertIn("Cannot read properties of null", err["evalue"])
        self.assertTrue(any(line.endswith(":3:3") and line.startswith("    at In[") for line in err["traceback"]), err)

    def test_thrown_non_error(self):
        err = self.error('throw "plain string";')
        self.assertEqual((err["ename"], err["evalue"]), ("Uncaught", "'plain string'"))

    def test_type_error_names_the_cell_line(self):
        content, _ = self.k.execute("1")
        err = self.error('const ok = 1;\nconst n: number = "text";')
        self.assertEqual(err["ename"], "TSError")
        self.assertEqual(err["evalue"], "Type 'string' is not assignable to type 'number'.")
        cell = content["execution_count"] + 1
        self.assertEqual(err["traceback"][0], f"In[{cell}]:2:7 - error TS2322: Type 'string' is not assignable to type 'number'.")
        self.assertEqual(err["traceback"][1:3], ['const n: number = "text";', "      ~"])

    def test_earlier_variables_in_shorthand_and_destructuring(self):
        self.k.execute("const model = { name: 'deal' };\nlet count = 1;")
        self.assertEqual(self.value("const wrapped = { model, extra: 2 };\nJSON.stringify(wrapped)"), repr('{"model":{"name":"deal"},"extra":2}'))
        self.k.execute("({ count } = { count: 7 });")
        self.assertEqual(self.value("count"), "7")
        self.assertEqual(self.value("const f = ({ model }: { model: number }) => model;\nf({ model: 3 })"), "3")

    def test_requests_after_an_error_are_not_aborted(self):
        self.error('throw new Error("first");')
        # Sent at once after the error reply, without a pause: tslab aborted these for ~200 ms.
        ids = [self.k.kc.execute(f"{i} * 2") for i in range(3)]
        for i, msg_id in enumerate(ids):
            self.assertEqual(self.k.reply_to(msg_id)["content"]["status"], "ok")
        for i, msg_id in enumerate(ids):
            outs = self.k.outputs_of(msg_id)
            self.assertEqual([m["content"]["data"]["text/plain"] for m in outs], [str(i * 2)])

    def test_requests_queued_before_an_error_abort_only_with_stop_on_error(self):
        # "Run all": requests sent before the failing cell finished are aborted, as ipykernel does.
        ids = [self.k.kc.execute('await new Promise((r) => setTimeout(r, 300));\nthrow new Error("stop");')]
        ids += [self.k.kc.execute("'queued'") for _ in range(2)]
        self.assertEqual([self.k.reply_to(i)["content"]["status"] for i in ids], ["error", "aborted", "aborted"])
        ids = [self.k.kc.execute('throw new Error("go on");', stop_on_error=False), self.k.kc.execute("'ran'")]
        self.assertEqual([self.k.reply_to(i)["content"]["status"] for i in ids], ["error", "ok"])

    def test_interrupt_stops_busy_and_waiting_cells(self):
        for code in ["while (true) {}", "await new Promise(() => {});"]:
            msg_id = self.k.kc.execute(code)
            time.sleep(1.5)
            self.k.km.interrupt_kernel()
            reply = self.k.reply_to(msg_id, timeout=30)["content"]
            self.assertEqual(reply["status"], "error", code)
            self.assertIn("interrupted", reply["evalue"].lower())
            self.k.outputs_of(msg_id)
        self.assertEqual(self.value("'alive'"), "'alive'")

    def test_heartbeat_answers_while_a_cell_is_busy(self):
        # jupyter_client's heartbeat channel counts the kernel dead after 1 s without an echo. A heartbeat
        # served by the kernel's own (blocked) thread stays silent for the whole busy cell.
        hb = self.k.kc.hb_channel
        msg_id = self.k.kc.execute("const until = Date.now() + 6000;\nwhile (Date.now() < until) {}")
        time.sleep(2.5)
        beats = []
        for _ in range(12):
            beats.append(hb.is_beating())
            time.sleep(0.25)
        self.assertTrue(any(beats), "no heartbeat while the cell was busy")
        self.assertEqual(self.k.reply_to(msg_id)["content"]["status"], "ok")
        self.k.outputs_of(msg_id)

    def test_user_expressions(self):
        content, _ = self.k.execute("const base = 21;", user_expressions={"double": "base * 2", "bad": "nope.x"})
        exprs = content["user_expressions"]
        self.assertEqual(exprs["double"], {"status": "ok", "data": {"text/plain": "42"}, "metadata": {}})
        self.assertEqual((exprs["bad"]["status"], exprs["bad"]["ename"]), ("error", "ReferenceError"))

    def test_cursor_positions_count_code_points(self):
        code = 'const s = "\U0001F600";\nMath.ma'
        msg_id = self.k.kc.complete(code, len(code))
        reply = self.k.reply_to(msg_id)["content"]
        self.assertEqual((reply["cursor_start"], reply["cursor_end"], reply["matches"]), (len(code) - 2, len(code), ["max"]))

    def test_silent_execution_sends_no_output_and_keeps_the_count(self):
        before, _ = self.k.execute("1")
        content, outs = self.k.execute("console.log('hidden'); 5", silent=True)
        self.assertEqual((content["status"], outs), ("ok", []))
        after, _ = self.k.execute("1")
        self.assertEqual(after["execution_count"], before["execution_count"] + 1)


class DealkitShutdownTests(unittest.TestCase):
    def test_shutdown_request_ends_the_kernel_and_its_heartbeat(self):
        k = KernelSession()
        try:
            hb_port = k.km.hb_port
            msg_id = k.kc.shutdown()
            reply = k.kc.get_control_msg(timeout=TIMEOUT)
            self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
            self.assertEqual(reply["content"], {"status": "ok", "restart": False})
            deadline = time.monotonic() + 10
            while k.km.is_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertFalse(k.km.is_alive(), "the kernel process did not exit after shutdown_request")
            with socket.socket() as s:  # the heartbeat process is gone: its port is free again
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                for _ in range(50):
                    try:
                        s.bind(("127.0.0.1", hb_port))
                        break
                    except OSError:
                        time.sleep(0.1)
                else:
                    self.fail("the heartbeat port is still in use after shutdown")
        finally:
            k.close()

    def test_kernel_exits_when_the_process_that_started_it_dies(self):
        # As ipykernel does (JPY_PARENT_PID): a client killed without shutting its kernel down leaves no orphan.
        script = (
            "import os, sys\n"
            "from jupyter_client.manager import start_new_kernel\n"
            "km, kc = start_new_kernel(kernel_name='dealkit', startup_timeout=300)\n"
            "print(km.provisioner.process.pid, flush=True)\n"
            "os._exit(0)\n"
        )
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=STARTUP_TIMEOUT + 60)
        pid = int(out.stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.2)
        os.kill(pid, 9)
        self.fail("the orphaned kernel kept running")


if __name__ == "__main__":
    unittest.main()
