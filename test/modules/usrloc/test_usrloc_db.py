#!/usr/bin/env python3
"""usrloc's db_mode 1 to 4 on a real database, with db.cfg and a python3 SIP client:

  1  write-through: a REGISTER's binding is in the location table before the 200, a
     refresh updates its row, Expires: 0 deletes it; a restart loads the table; the
     database gone makes REGISTER fail with 500 while lookups from memory go on, and it
     works again once the database is back
  2  write-back: nothing is written before the timer or the shutdown; a restart loses no
     registration, and an unregistration before it is not brought back
  3  database only: a row another server wrote is found at once, a row deleted behind
     our back is gone at once, the timer deletes expired rows
  4  loaded at start, never written
  and: a location table of another version, or no driver module, refuse the start.

The backend is SQLite (a file made from utils/db/sqlite) or, with --mysql, a MariaDB
server the test starts itself (test/modules/db_mysql/mariadb_server.py; exit 77 when
mariadbd is not installed).

Usage: test_usrloc_db.py KAMAILIO MODDIR CFG SCHEMA_DIR [--mysql]
"""
import os
import random
import re
import socket
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(here, "..", "tm"))
sys.path.insert(0, os.path.join(here, "..", "db_mysql"))
from daemon import Run  # noqa: E402
import db_backend  # noqa: E402
from db_backend import to_unix  # noqa: E402

kam, moddir, cfg, schema = sys.argv[1:5]
use_mysql = "--mysql" in sys.argv[5:]
run = Run("usrloc-db-")
check = run.check

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
sock.settimeout(3)
me = sock.getsockname()[1]


db = db_backend.make(run.work, schema, use_mysql)
port = None
cseqs = {}


def send(text):
    sock.sendto(text.replace("\n", "\r\n").encode(), ("127.0.0.1", port))


def recv(want_callid):
    """The final reply with that Call-ID (provisional ones and strays skipped), or None."""
    end = time.time() + 4
    while time.time() < end:
        try:
            data = sock.recv(65535).decode(errors="replace")
        except socket.timeout:
            return None
        m = re.search(r"^Call-ID: *(.*?)\r$", data, re.M | re.I)
        if m and m.group(1) == want_callid and not data.startswith("SIP/2.0 1"):
            return data
    return None


def status(reply):
    return int(reply.split(" ", 2)[1]) if reply else 0


def header(reply, name):
    m = re.search(r"^%s: *(.*?)\r$" % name, reply or "", re.M | re.I)
    return m.group(1) if m else None


def register(user, contact, expires, q=None, callid=None):
    callid = callid or "reg-%s-%d" % (user, random.randint(0, 1 << 30))
    cseqs[callid] = cseqs.get(callid, 0) + 1
    qp = ";q=%s" % q if q else ""
    send("""REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%d;rport
Max-Forwards: 70
From: <sip:%s@example.com>;tag=%d
To: <sip:%s@example.com>
Call-ID: %s
CSeq: %d REGISTER
Contact: <%s>%s
Expires: %d
User-Agent: ul-db-test
Content-Length: 0

""" % (me, random.randint(0, 1 << 30), user, random.randint(0, 1 << 30), user, callid,
       cseqs[callid], contact, qp, expires))
    return recv(callid), callid


def locate(user):
    """200 and the contact lookup() found, or the status and None."""
    callid = "opt-%d" % random.randint(0, 1 << 30)
    send("""OPTIONS sip:%s@example.com SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%d;rport
Max-Forwards: 70
From: <sip:probe@example.com>;tag=%d
To: <sip:%s@example.com>
Call-ID: %s
CSeq: 1 OPTIONS
Content-Length: 0

""" % (user, me, random.randint(0, 1 << 30), random.randint(0, 1 << 30), user, callid))
    r = recv(callid)
    return status(r), header(r, "X-Contact")


def start(mode, timer=60, extra=()):
    global port
    args = ["-A", 'DB_URL="%s"' % db.url, "-A", "DB_MODE=%d" % mode, "-A", "TIMER=%d" % timer,
            "-A", 'DRIVER="%s"' % db.driver] + list(extra)
    log = os.path.join(run.work, "kamailio.log")

    def started():
        with open(log) as f:
            return f.read().count("started, ") > before

    before = 0
    if os.path.exists(log):
        with open(log) as f:
            before = f.read().count("started, ")
    port = run.start(kam, cfg, moddir, args, ready=started)
    check(locate("nobody")[0] == 404, "db_mode %d: the daemon serves" % mode)
    return port


def rows_of(user):
    return [r for r in db.rows() if r["username"] == user]


def other_row(user, contact, expires_at, ruid):
    """A row as another server sharing the database writes it."""
    db.execute("INSERT INTO location (ruid, username, contact, expires, q, callid, cseq, "
               "last_modified, user_agent) VALUES (?, ?, ?, ?, 1.0, ?, 1, ?, 'other')",
               (ruid, user, contact, db.datetime_sql(expires_at), "cid-" + ruid,
                db.datetime_sql(int(time.time()))))


def mode_1():
    db.create()
    start(1)
    r, callid = register("alice", "sip:alice@127.0.0.1:5999", 60, q="0.5")
    check(status(r) == 200, "db_mode 1: REGISTER 200")
    rows = rows_of("alice")
    check(len(rows) == 1, "db_mode 1: the binding is in the table before the 200 (%d rows)"
          % len(rows))
    if rows:
        row = rows[0]
        now = time.time()
        check(row["contact"] == "sip:alice@127.0.0.1:5999", "db_mode 1: contact column")
        check(abs(to_unix(row["expires"]) - (now + 60)) <= 3,
              "db_mode 1: expires column is now + 60 (%s)" % row["expires"])
        check(abs(float(row["q"]) - 0.5) < 1e-6, "db_mode 1: q column 0.5 (%s)" % row["q"])
        check(row["callid"] == callid and int(row["cseq"]) == 1,
              "db_mode 1: callid and cseq columns")
        check(row["user_agent"] == "ul-db-test", "db_mode 1: user_agent column")
        check(row["socket"] == "udp:127.0.0.1:%d" % port, "db_mode 1: socket column (%s)"
              % row["socket"])
        check((row["ruid"] or "").startswith("uloc-"), "db_mode 1: ruid column")
        ruid = row["ruid"]
    r, _ = register("alice", "sip:alice@127.0.0.1:5999", 120, q="0.5", callid=callid)
    rows = rows_of("alice")
    check(status(r) == 200 and len(rows) == 1, "db_mode 1: a refresh updates the one row")
    if rows:
        check(rows[0]["ruid"] == ruid and int(rows[0]["cseq"]) == 2 and
              abs(to_unix(rows[0]["expires"]) - (time.time() + 120)) <= 3,
              "db_mode 1: the row has the refresh's CSeq and expires, same ruid")
    r, bcid = register("bob", "sip:bob@127.0.0.1:5998", 60)
    check(status(r) == 200 and len(rows_of("bob")) == 1, "db_mode 1: bob's row")
    r, _ = register("bob", "sip:bob@127.0.0.1:5998", 0, callid=bcid)
    check(status(r) == 200 and not rows_of("bob"), "db_mode 1: Expires: 0 deletes the row")
    run.stop("db_mode 1: the daemon stops")
    check(len(rows_of("alice")) == 1, "db_mode 1: the row stays at shutdown")

    start(1)
    code, contact = locate("alice")
    check(code == 200 and contact == "sip:alice@127.0.0.1:5999",
          "db_mode 1: after a restart lookup finds the loaded binding (%s %s)"
          % (code, contact))
    check(locate("bob")[0] == 404, "db_mode 1: the deleted binding stays deleted")
    # the database goes away: REGISTER fails with 500, memory still serves lookups
    db.go_away()
    r, ccid = register("carol", "sip:carol@127.0.0.1:5997", 60)
    check(status(r) == 500, "db_mode 1: database gone: REGISTER gets 500 (%s)" % status(r))
    check(locate("carol")[0] == 404, "db_mode 1: database gone: the refused binding is not "
          "in memory")
    check(locate("alice")[0] == 200, "db_mode 1: database gone: lookups go on")
    r, _ = register("alice", "sip:alice@127.0.0.1:5999", 0, q="0.5", callid=callid)
    check(status(r) == 500, "db_mode 1: database gone: an unregistration gets 500")
    check(locate("alice")[0] == 200, "db_mode 1: ... and the binding stays, as in the table")
    db.come_back()
    # a worker's connection opened before the outage fails its first statement (srdb
    # reports it, never replays it) and reconnects: one 500 per worker at most
    codes = []
    for _ in range(3):
        r, _ = register("carol", "sip:carol@127.0.0.1:5997", 60, callid=ccid)
        codes.append(status(r))
        if codes[-1] != 500:
            break
    check(codes[-1] == 200 and len(rows_of("carol")) == 1,
          "db_mode 1: database back: REGISTER 200 and its row (%s)" % codes)
    check(locate("carol")[0] == 200, "db_mode 1: database back: lookup finds it")
    run.stop("db_mode 1: the daemon stops after the database came back")


def mode_2():
    db.create()
    start(2, timer=60)
    r, acid = register("alice", "sip:alice@127.0.0.1:5999", 300)
    check(status(r) == 200, "db_mode 2: REGISTER 200")
    r, bcid = register("bob", "sip:bob@127.0.0.1:5998", 300)
    check(status(r) == 200, "db_mode 2: REGISTER bob 200")
    check(not db.rows(), "db_mode 2: nothing written before the timer")
    run.stop("db_mode 2: the daemon stops")
    check(len(rows_of("alice")) == 1 and len(rows_of("bob")) == 1,
          "db_mode 2: the shutdown wrote the bindings")

    start(2, timer=60)
    code, contact = locate("alice")
    check(code == 200 and contact == "sip:alice@127.0.0.1:5999",
          "db_mode 2: after a restart the binding is there (%s %s)" % (code, contact))
    r, _ = register("bob", "sip:bob@127.0.0.1:5998", 0, callid=bcid)
    check(status(r) == 200 and locate("bob")[0] == 404, "db_mode 2: bob unregisters")
    r, _ = register("alice", "sip:alice@127.0.0.1:5999", 600, callid=acid)
    check(status(r) == 200, "db_mode 2: alice refreshes")
    check(len(rows_of("bob")) == 1, "db_mode 2: the delete waits for the timer too")
    run.stop("db_mode 2: the daemon stops again")
    rows = rows_of("alice")
    check(not rows_of("bob"), "db_mode 2: the shutdown deleted bob's row")
    check(len(rows) == 1 and abs(to_unix(rows[0]["expires"]) - (time.time() + 600)) <= 5,
          "db_mode 2: the shutdown wrote alice's refresh")

    # the timer writes without a shutdown
    start(2, timer=1)
    check(locate("bob")[0] == 404, "db_mode 2: bob stays unregistered after a restart")
    register("carol", "sip:carol@127.0.0.1:5997", 300)
    end = time.time() + 5
    while time.time() < end and not rows_of("carol"):
        time.sleep(0.2)
    check(len(rows_of("carol")) == 1, "db_mode 2: the timer wrote carol's row")
    run.stop("db_mode 2: the daemon stops a third time")


def mode_3():
    db.create()
    start(3, timer=1)
    r, _ = register("alice", "sip:alice@127.0.0.1:5999", 60)
    check(status(r) == 200 and len(rows_of("alice")) == 1, "db_mode 3: written at once")
    other_row("dave", "sip:dave@10.0.0.9:5060", int(time.time()) + 300, "other-1")
    code, contact = locate("dave")
    check(code == 200 and contact == "sip:dave@10.0.0.9:5060",
          "db_mode 3: a row another server wrote is found at once (%s)" % code)
    db.execute("DELETE FROM location WHERE username = ?", ("alice",))
    check(locate("alice")[0] == 404, "db_mode 3: a row deleted in the database is gone")
    other_row("erin", "sip:erin@10.0.0.9:5060", int(time.time()) - 10, "other-2")
    check(locate("erin")[0] == 404, "db_mode 3: an expired row is not used")
    end = time.time() + 5
    while time.time() < end and rows_of("erin"):
        time.sleep(0.2)
    check(not rows_of("erin"), "db_mode 3: the timer deleted the expired row")
    check(len(rows_of("dave")) == 1, "db_mode 3: ... and kept the valid one")
    run.stop("db_mode 3: the daemon stops")


def mode_4():
    db.create()
    other_row("dave", "sip:dave@10.0.0.9:5060", int(time.time()) + 300, "other-1")
    start(4)
    check(locate("dave")[0] == 200, "db_mode 4: the table was loaded at start")
    r, _ = register("frank", "sip:frank@127.0.0.1:5996", 60)
    check(status(r) == 200 and locate("frank")[0] == 200, "db_mode 4: REGISTER 200")
    check(not rows_of("frank"), "db_mode 4: nothing is written")
    run.stop("db_mode 4: the daemon stops")
    check(not rows_of("frank") and len(rows_of("dave")) == 1,
          "db_mode 4: nothing is written at shutdown either")


def refusals():
    db.create(location_version=8)
    out = subprocess.run([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l", "udp:127.0.0.1:9",
                          "-A", 'DB_URL="%s"' % db.url, "-A", "DB_MODE=1", "-A", "TIMER=60",
                          "-A", 'DRIVER="%s"' % db.driver],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode != 0 and re.search(r"location.*version 8.*expects 9", out.stderr),
          "a location table of version 8 refuses the start, saying so")
    out = subprocess.run([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l", "udp:127.0.0.1:9",
                          "-A", 'DB_URL="%s"' % db.url, "-A", "DB_MODE=1", "-A", "TIMER=60",
                          "-A", "NO_DRIVER"], capture_output=True, text=True, timeout=30)
    check(out.returncode != 0 and 'loadmodule "%s"' % db.driver in out.stderr,
          "db_mode 1 without the driver module refuses the start, naming it")


try:
    for step in (mode_1, mode_2, mode_3, mode_4, refusals):
        step()
except BaseException as e:  # noqa: B036 -- a crash of the test is a failure, never a pass
    import traceback
    traceback.print_exc()
    check(False, "the test ran to its end (%s: %s)" % (type(e).__name__, e))
finally:
    db.cleanup()
    run.finish()
