#!/usr/bin/env python3
"""The registration suite: SIPp against the daemon with kamailio.cfg here, on SQLite or
(--mysql) on a MariaDB server the test starts itself, the subscriber alice/secret made
by `kamctl add` (--kamctl; without it, or without the database's client, the same row is
written by the test). In order:

  wrong password -> 401 again; REGISTER with digest -> 200; INVITE to alice routed by
  lookup() to the SIPp UAS -> call completes; refresh -> 200 with the new expires;
  restart of the daemon (db_mode 2, timer_interval 60: written back at shutdown) -> the INVITE still reaches
  the UAS; Expires: 0 -> 200, INVITE -> 404; register again, Contact: * -> 200, INVITE ->
  404; register for 2 s, wait -> INVITE 404 (expired); the database goes away ->
  REGISTER 500, the daemon keeps serving (INVITE 404), the database is back -> REGISTER
  200 and the call reaches the UAS again.

Every step but the database-gone ones passes against Kamailio 5.6 on SQLite too (run
with /usr/sbin/kamailio and its module directory); on SQLite the database "goes away" by
moving its file, which our db_sqlite notices while upstream's keeps reading the moved
file: compare those steps on MariaDB, where the server stops.

Usage: run_suite.py KAMAILIO MODDIR SIPP SCHEMA_DIR [--mysql] [--kamctl KAMCTL]
Exit 77 (skipped) with --mysql when mariadbd is not installed.
"""
import os
import random
import shutil
import socket
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(here, "..", "..", "modules", "tm"))
sys.path.insert(0, os.path.join(here, "..", "..", "modules", "usrloc"))
from daemon import Run  # noqa: E402
import db_backend  # noqa: E402

kam, moddir, sipp, schema = sys.argv[1:5]
use_mysql = "--mysql" in sys.argv[5:]
kamctl = sys.argv[sys.argv.index("--kamctl") + 1] if "--kamctl" in sys.argv else None
run = Run("registration-")
check = run.check
db = db_backend.make(run.work, schema, use_mysql)
cfg = os.path.join(here, "kamailio.cfg")
KEEP = os.environ.get("KSR_SIPP_KEEP") == "1"


def free_port():
    """A loopback UDP port nobody uses now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


uas_port = free_port()
daemon_port = None
nrun = 0


def answers():
    """Whether the daemon answers an OPTIONS (lookup() fails: 404)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.3)
    me = s.getsockname()[1]
    s.sendto(("OPTIONS sip:nobody@example.com SIP/2.0\r\n"
              "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-probe%d\r\n"
              "Max-Forwards: 70\r\nFrom: <sip:probe@example.com>;tag=p\r\n"
              "To: <sip:nobody@example.com>\r\nCall-ID: probe-%d\r\n"
              "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
              % (me, random.randint(0, 1 << 30), random.randint(0, 1 << 30))).encode(),
             ("127.0.0.1", daemon_port))
    try:
        return s.recv(65535).startswith(b"SIP/2.0 ")
    except socket.timeout:
        return False
    finally:
        s.close()


def start():
    """Start the daemon; a restart keeps the port (the binding's socket column names it)."""
    global daemon_port
    args = ["-A", 'DB_URL="%s"' % db.url, "-A", "DB_MODE=2", "-A", "TIMER=60",
            "-A", 'DRIVER="%s"' % db.driver]
    if daemon_port is None:
        daemon_port = free_port()
    logf = open(os.path.join(run.work, "kamailio.log"), "a")
    run.proc = subprocess.Popen([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l",
                                 "udp:127.0.0.1:%d" % daemon_port, "-n", "2"] + args,
                                stdout=logf, stderr=logf)
    end = time.time() + 10
    up = False
    while time.time() < end and run.proc.poll() is None and not up:
        up = answers()
    if not up:
        raise SystemExit("the daemon does not answer on port %d" % daemon_port)


def sipp_args(name, xml, extra):
    global nrun
    nrun += 1
    base = os.path.join(run.work, "%02d-%s" % (nrun, name))
    return [sipp, "-sf", os.path.join(here, xml), "-m", "1", "-i", "127.0.0.1", "-nostdin",
            "-timeout", "15s", "-timeout_error", "-trace_err", "-error_file", base + ".errors",
            "-trace_msg", "-message_file", base + ".messages", "-trace_logs", "-log_file",
            base + ".log"] + extra


def uac(name, xml, expires=60):
    """Run one UAC scenario against the daemon; whether it succeeded."""
    args = sipp_args(name, xml, ["127.0.0.1:%d" % daemon_port, "-p", str(free_port()),
                                 "-key", "contact_port", str(uas_port),
                                 "-key", "expires", str(expires)])
    r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=30)
    return r.returncode == 0


def call(name):
    """A call to alice that must reach the SIPp UAS: both scenarios succeed."""
    uas = subprocess.Popen(sipp_args(name + "-uas", "answer_uas.xml", ["-p", str(uas_port)]),
                           stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(0.3)
    ok = uac(name, "invite_uac.xml")
    try:
        uas_ok = uas.wait(timeout=20) == 0
    except subprocess.TimeoutExpired:
        uas.kill()
        uas.wait()
        uas_ok = False
    return ok and uas_ok


try:
    db.create()
    how = db_backend.add_subscriber(db, "alice", "example.com", "secret", kamctl)
    print("subscriber alice made by %s" % how)
    start()
    check(uac("wrong", "wrong_uac.xml"), "a wrong password is challenged again, not accepted")
    check(uac("invite-none", "invite_404_uac.xml"), "before any REGISTER: INVITE 404")
    check(uac("register", "register_uac.xml", 60), "REGISTER with digest: 401, then 200")
    check(call("call"), "INVITE to alice reaches her contact (the SIPp UAS) by lookup()")
    check(uac("refresh", "register_uac.xml", 120), "refresh: 200 with expires=120")
    run.stop("the daemon stops (db_mode 2 writes the bindings back)")
    rows = db.rows()
    check(len(rows) == 1 and rows[0]["username"] == "alice",
          "the binding is in the location table after the shutdown")
    start()
    check(call("call-after-restart"), "after a restart the INVITE still reaches the contact")
    check(uac("unregister", "unregister_uac.xml"), "Expires: 0: 200 without the binding")
    check(uac("invite-unregistered", "invite_404_uac.xml"), "after Expires: 0: INVITE 404")
    check(uac("register-again", "register_uac.xml", 60), "REGISTER again: 200")
    check(uac("star", "star_uac.xml"), "Contact: * with Expires: 0: 200 without bindings")
    check(uac("invite-star", "invite_404_uac.xml"), "after Contact: *: INVITE 404")
    check(uac("register-short", "register_uac.xml", 2), "REGISTER for 2 s: 200")
    time.sleep(3.5)
    check(uac("invite-expired", "invite_404_uac.xml"), "after the expiry: INVITE 404")
    db.go_away()
    check(uac("dbdown", "dbdown_uac.xml"), "database gone: REGISTER 500")
    check(uac("invite-dbdown", "invite_404_uac.xml"), "database gone: the daemon serves")
    db.come_back()
    # each worker's connection learns of the outage at its first statement, which fails
    # (srdb never replays it): with 2 workers, at most 2 REGISTERs before a 200
    ok = any(uac("register-dbback-%d" % i, "register_uac.xml", 60) for i in range(3))
    check(ok, "database back: REGISTER 200 (after at most one failure per worker)")
    check(call("call-dbback"), "database back: the call reaches the contact")
    run.stop("the daemon stops at the end")
except BaseException as e:  # noqa: B036 -- a crash of the test is a failure, never a pass
    import traceback
    traceback.print_exc()
    check(False, "the suite ran to its end (%s: %s)" % (type(e).__name__, e))
finally:
    if run.failures or KEEP:
        keep = os.path.join(os.getcwd(), "registration-%s" % ("mysql" if use_mysql else "sqlite"))
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(run.work, keep, ignore=shutil.ignore_patterns("mariadb"))
        print("SIPp traces and the daemon log kept in %s" % keep)
    db.cleanup()
    run.finish()
