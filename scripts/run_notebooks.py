"""Executes Jupyter notebooks through a real kernel with Debian's nbclient, one fresh kernel per notebook.

Run with Debian's system Python (/usr/bin/python3), which holds nbclient and nbconvert; the npm scripts
(scripts/run-notebooks.cjs, `npm test`) and dealkit's runNotebooks() call it for you with JUPYTER_PATH set to
the project's kernels-config/.

A failing cell's message is its error output (ename, evalue and the traceback in cell lines, as the dealkit
kernel sends them). A request the kernel aborts is reported as a failure, never skipped silently. The kernel is
always shut down, also when the driver is interrupted.

Prints one JSON line per notebook on stdout, prefixed with "@@result ", and progress lines on stderr.
Exit status: 0 when every notebook ran without a cell error, 1 when one failed, 2 on bad usage.
"""

import argparse
import asyncio
import json
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def log(text):
    print(text, file=sys.stderr, flush=True)


def clean(text):
    return ANSI.sub("", text or "").strip()


def error_text(error):
    """An error output or error reply as text: its traceback, else `ename: evalue`."""
    tb = "\n".join(error.get("traceback") or [])
    return tb or ": ".join(p for p in (error.get("ename"), error.get("evalue")) if p)


def cell_message(cell, reply_content=None):
    """The failing cell's message: its error output (else the execute_reply's error)."""
    parts = [error_text(out) for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    if not any(parts) and reply_content:
        parts = [error_text(reply_content)]
    text = clean("\n".join(parts))
    return text or "the cell failed without an error message (the kernel sent no error output)"


def first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:100]
    return ""


class Runner(NotebookClient):
    """An nbclient NotebookClient that records each cell's execute_reply (to see errors and aborted requests)."""

    def __init__(self, nb, **kw):
        super().__init__(nb, **kw)
        self.last_reply = None
        self.on_cell_executed = self._remember_reply

    def _remember_reply(self, cell=None, cell_index=None, execute_reply=None, **_):
        self.last_reply = execute_reply


async def run_cells(client, nb, args, failures, timings):
    code_number = 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        code_number += 1
        started = time.monotonic()
        client.last_reply = None
        failure = kind = None
        try:
            await client.async_execute_cell(cell, index, execution_count=code_number)
        except CellTimeoutError:
            failure, kind = f"the cell did not finish within {args.timeout} s (--timeout)", "timeout"
        except DeadKernelError as err:
            failure, kind = f"the kernel died while running the cell: {clean(str(err))}", "dead-kernel"
        except CellExecutionError:
            failure, kind = cell_message(cell, (client.last_reply or {}).get("content", {})), "error"
        status = ((client.last_reply or {}).get("content") or {}).get("status")
        if failure is None and status == "error":
            # Only reached with --keep-going (nbclient allows errors then).
            failure, kind = cell_message(cell, client.last_reply["content"]), "error"
        elif failure is None and status in ("abort", "aborted"):
            failure, kind = "the kernel aborted the request (it did not run the cell)", "aborted"
        timings.append({"cell": index, "seconds": round(time.monotonic() - started, 3)})
        if failure is not None:
            failures.append({
                "cell": index,
                "codeCell": code_number,
                "kind": kind,
                "source": first_line(cell.source),
                "message": failure,
            })
            if not args.keep_going or kind in ("dead-kernel", "timeout"):
                return


async def run_notebook(path, args):
    nb = nbformat.read(path, as_version=4)
    cwd = os.path.abspath(args.cwd or os.path.dirname(os.path.abspath(path)))
    kernel_name = args.kernel or nb.metadata.get("kernelspec", {}).get("name") or "dealkit"
    client = Runner(
        nb,
        timeout=args.timeout,
        startup_timeout=args.startup_timeout,
        kernel_name=kernel_name,
        allow_errors=args.keep_going,
        record_timing=True,
        shutdown_kernel="graceful",
        resources={"metadata": {"path": cwd}},
    )
    failures, timings = [], []
    result = {"notebook": path, "kernel": kernel_name, "cwd": cwd}
    started = time.monotonic()
    try:
        async with client.async_setup_kernel():
            ready = time.monotonic()
            result["kernelStartSeconds"] = round(ready - started, 3)
            msg_id = await ensure_async(client.kc.kernel_info())
            info = await client.async_wait_for_reply(msg_id)
            if info is not None and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            await run_cells(client, nb, args, failures, timings)
    except Exception as err:  # the kernel did not start, or the driver itself broke
        failures.append({"cell": None, "codeCell": None, "kind": "kernel", "source": "",
                         "message": clean(f"{type(err).__name__}: {err}")})
    finally:
        # The async context shuts the kernel down; make sure, because a crashed driver can leave node running.
        km = client.km
        if km is not None:
            try:
                if await ensure_async(km.is_alive()):
                    await ensure_async(km.shutdown_kernel(now=True))
            except Exception:
                pass
    result["seconds"] = round(time.monotonic() - started, 3)
    result["cells"] = timings
    result["failures"] = failures
    result["ok"] = not failures
    if args.out:
        write_outputs(path, nb, args, result)
    return result


def write_outputs(path, nb, args, result):
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.splitext(os.path.basename(path))[0]
    executed = os.path.join(args.out, stem + ".ipynb")
    nbformat.write(nb, executed)
    result["executed"] = executed
    if args.no_html:
        return
    try:
        from nbconvert import HTMLExporter

        exporter = HTMLExporter(template_name="lab")
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
        html = os.path.join(args.out, stem + ".html")
        with open(html, "w", encoding="utf-8") as f:
            f.write(body)
        result["html"] = html
    except Exception as err:
        result["htmlError"] = clean(f"{type(err).__name__}: {err}")


def main(argv):
    parser = argparse.ArgumentParser(description="Execute notebooks through Jupyter (nbclient).")
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--kernel", default=None, help="kernel name (default: the notebook's kernelspec)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    parser.add_argument("--startup-timeout", type=int, default=300, help="seconds for the kernel to start")
    parser.add_argument("--out", default=None, help="folder for executed notebooks and HTML exports")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML export")
    parser.add_argument("--keep-going", action="store_true", help="run the cells after a failing one too")
    parser.add_argument("--cwd", default=None, help="kernel working directory (default: the notebook's folder)")
    args = parser.parse_args(argv)
    all_ok = True
    for path in args.notebooks:
        if not os.path.isfile(path):
            result = {"notebook": path, "ok": False, "seconds": 0, "cells": [],
                      "failures": [{"cell": None, "codeCell": None, "kind": "missing", "source": "",
                                    "message": f"no such notebook: {path}"}]}
        else:
            log(f"running {path}")
            result = asyncio.run(run_notebook(path, args))
        all_ok = all_ok and result["ok"]
        print("@@result " + json.dumps(result), flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
