"""What the xhttp and xhttp_prom tests share: the daemon on a random loopback port with a
UDP and a TCP listener, raw requests on a socket, SIP OPTIONS, the checks and the clean-up."""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time


class Run:
    def __init__(self, prefix):
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.log = os.path.join(self.work, "kamailio.log")
        self.failures = []
        self.proc = None
        self.port = None

    def check(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.failures.append(what)

    def start(self, kam, cfg, moddir):
        """The daemon on udp and tcp 127.0.0.1:PORT (a free port, tried 10 times)."""
        for _ in range(10):
            port = random.randint(20000, 31999)
            with open(self.log, "a") as log:
                self.proc = subprocess.Popen(
                    [kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-Y", self.work, "-n", "2",
                     "-l", "udp:127.0.0.1:%d" % port, "-l", "tcp:127.0.0.1:%d" % port],
                    stdout=log, stderr=log)
            for _ in range(50):
                time.sleep(0.1)
                if self.proc.poll() is not None:
                    break
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                except OSError:
                    continue
                # a daemon that could not bind the port (another has it) is gone by now
                time.sleep(0.2)
                if self.proc.poll() is None:
                    self.port = port
                    return port
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if "Address already in use" not in open(self.log).read():
                break
        self.check(False, "the daemon starts")
        raise SystemExit(1)

    def raw(self, data, wait=2.0):
        """Send data on a new TCP connection; what comes back until the server closes it
        (closed=True) or nothing more comes for a moment (closed=False)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=wait)
        s.sendall(data)
        out, closed = b"", False
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    closed = True
                    break
                out += d
                s.settimeout(0.3)
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
        s.close()
        return out, closed

    def options(self, extra=""):
        """An OPTIONS over UDP; the reply's text or None."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(2)
        s.sendto(options_request(self.port, s.getsockname()[1], "UDP", extra).encode(),
                 ("127.0.0.1", self.port))
        try:
            return s.recv(65536).decode()
        except socket.timeout:
            return None
        finally:
            s.close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.check(self.proc.wait(timeout=10) == 0, "the daemon stops cleanly")

    def finish(self):
        """Kill what is left, show the log on failure, clean up, exit with the verdict."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.failures:
            print("---- daemon log")
            print(open(self.log).read()[-6000:])
        shutil.rmtree(self.work, ignore_errors=True)
        sys.exit(1 if self.failures else 0)


def options_request(port, my_port, transport="UDP", extra=""):
    return ("OPTIONS sip:bob@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%d\r\n"
            "From: <sip:t@x>;tag=1\r\nTo: <sip:bob@x>\r\nCall-ID: %d@x\r\nCSeq: 1 OPTIONS\r\n"
            "%sContent-Length: 0\r\n\r\n" % (port, transport, my_port, random.getrandbits(30),
                                             random.getrandbits(30), extra))
