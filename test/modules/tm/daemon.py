"""What tm's python tests share: the daemon on a random loopback port, the checks, the
report and the clean-up."""
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time


class Run:
    def __init__(self, prefix):
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.failures = []
        self.proc = None

    def check(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.failures.append(what)

    def start(self, kam, cfg, moddir, extra=(), ready=None):
        """Start the daemon on a free port (tries 10); ready() says it serves. The port."""
        for _ in range(10):
            port = random.randint(20000, 31999)
            log = open(os.path.join(self.work, "kamailio.log"), "a")
            self.proc = subprocess.Popen([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l",
                                          "udp:127.0.0.1:%d" % port, "-n", "2"] + list(extra),
                                         stdout=log, stderr=log)
            for _ in range(50):
                time.sleep(0.1)
                if self.proc.poll() is not None:
                    break
                if ready is None or ready():
                    return port
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        raise SystemExit("the daemon did not start")

    def stop(self, what="the daemon stops cleanly"):
        self.proc.send_signal(signal.SIGTERM)
        self.check(self.proc.wait(timeout=10) == 0, what)

    def finish(self):
        """Kill what is left, show the log on failure, clean up, exit with the verdict.
        Called from a `finally:`, an exception on its way out is a failure: the test
        crashed, it did not pass (sys.exit here would otherwise swallow it)."""
        pending = sys.exc_info()[1]
        if pending is not None and not isinstance(pending, SystemExit):
            import traceback
            traceback.print_exception(type(pending), pending, pending.__traceback__)
            self.check(False, "the test ran to its end (%s: %s)"
                       % (type(pending).__name__, pending))
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.failures:
            print("---- daemon log")
            print(open(os.path.join(self.work, "kamailio.log")).read()[-6000:])
        shutil.rmtree(self.work, ignore_errors=True)
        sys.exit(1 if self.failures else 0)
