"""Runs the kernel conformance tests (Debian's jupyter_kernel_test and the dealkit protocol tests) against the
shipped kernel spec in kernels-config/, with the kernel started from a new folder outside the repository.

    /usr/bin/python3 test/kernel/conformance/run.py [--json FILE]

Prints one line per test and writes {"passed", "failed", "skipped", "tests": [{"name", "outcome", "message"}]}.
A skipped test counts as a failure: every test of jupyter_kernel_test has a sample here. Exit status 0 when all
passed, 1 otherwise.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the repository

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.records = {}

    def _record(self, test, outcome, message=""):
        name = test.id().split(".", 1)[-1]
        prev = self.records.get(name)
        if prev and prev["outcome"] != "passed":
            return  # a failed sub-test fails the whole test
        self.records[name] = {"name": name, "outcome": outcome, "message": message}

    def addSuccess(self, test):
        super().addSuccess(test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._record(test, "skipped", reason or "skipped (no sample)")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            skipped = issubclass(err[0], unittest.SkipTest)
            self._record(test, "skipped" if skipped else "failed",
                         f"{subtest.id()}: {err[1] if skipped else self._exc_info_to_string(err, test)}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [os.path.join(ROOT, "kernels-config")] + ([os.environ["JUPYTER_PATH"]] if os.environ.get("JUPYTER_PATH") else []))
    os.environ["DEALKIT_ROOT"] = ROOT
    sys.path.insert(0, HERE)
    workdir = tempfile.mkdtemp(prefix="dealkit-kernel-")
    cwd = os.getcwd()
    try:
        os.chdir(workdir)  # the kernel inherits it: a folder with no node_modules, outside the repository
        suite = unittest.defaultTestLoader.loadTestsFromNames(["test_kernel_test", "test_protocol"])
        runner = unittest.TextTestRunner(resultclass=Recorder, verbosity=2, stream=sys.stdout)
        result = runner.run(suite)
    finally:
        os.chdir(cwd)
        shutil.rmtree(workdir, ignore_errors=True)
    tests = list(result.records.values())
    counts = {k: sum(t["outcome"] == k for t in tests) for k in ("passed", "failed", "skipped")}
    print(f"kernel conformance: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({**counts, "tests": tests}, f, indent=2)
    return 0 if counts["failed"] == 0 and counts["skipped"] == 0 and tests else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
