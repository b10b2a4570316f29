#!/usr/bin/env python3
"""acc on the wire (acc.cfg): a python caller and callee through the daemon as a stateful
proxy, with a temporary SQLite database made from utils/db/sqlite. For each call it reads
the daemon's log for the "ACC: ..." lines and the acc and missed_calls tables for rows:

- an answered call: one "transaction answered" line (every attribute, in upstream's
  order, with the log_extra values) and one acc row (db_extra columns too); its ACK
  (report_ack) one "request acknowledged" line and row, its retransmission none;
- a 486 with the missed-call flag: one "call missed" line and missed_calls row, no acc row;
  with failed_transaction_flag too, also the 486 as answered; none with failed_filter;
- a callee that never answers: the 408 of tm's timer is a missed call;
- serial forking: failure_route sets the missed-call flag again, each attempt is a record;
- parallel forking: the record names the Request-URI of the branch that answered;
- a CANCELed call: the 487 is a missed call, the CANCEL is not accounted;
- no flag, no record; acc_log_request, acc_db_request, acc_request; a reply of the
  proxy's own;
- a second configuration: failed_filter, a table name with a pseudo-variable
  (db_table_acc), early_media (a 183 with a body), time_mode 1 (log and columns), and
  detect_direction (a BYE from the callee through our Route, with rr);
- the daemon refuses to start with an acc table of another version, a log_extra naming
  an unknown pseudo-variable, or detect_direction without rr.

Usage: test_acc.py KAMAILIO MODDIR CFG SCHEMA_DIR [--reference]
With --reference (the daemon is Kamailio 5.6, by hand) the checks of what differs by
design (src/modules/acc/README.md) are skipped.
"""
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(here, "..", "tm"))
from daemon import Run  # noqa: E402

kam, moddir, cfg, schema = sys.argv[1:5]
reference = "--reference" in sys.argv[5:]
run = Run("acc-")
check = run.check
LOG = os.path.join(run.work, "kamailio.log")
CORE = ["method", "from_tag", "to_tag", "call_id", "code", "reason"]
EXTRA = ["src_user", "src_domain", "src_ip", "dst_ouser", "dst_user", "dst_domain", "ua",
         "none"]

uac = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uac.bind(("127.0.0.1", 0))
uas = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
uas.bind(("127.0.0.1", 0))


def make_db(path, acc_version=5):
    """The database kamdbctl makes (standard, acc), with the stock config's extra columns."""
    db = sqlite3.connect(path)
    for name in ("standard-create.sql", "acc-create.sql"):
        with open(os.path.join(schema, name)) as f:
            db.executescript(f.read())
    for table in ("acc", "missed_calls"):
        for col in ("src_user", "src_ip", "dst_user"):
            db.execute("ALTER TABLE %s ADD COLUMN %s VARCHAR(64) NOT NULL DEFAULT ''"
                       % (table, col))
    # time_mode 1's columns, in the table db_table_acc "acc_$rm" names for an INVITE
    db.execute("CREATE TABLE acc_INVITE AS SELECT * FROM acc WHERE 0")
    db.execute("ALTER TABLE acc_INVITE ADD COLUMN time_attr INTEGER")
    db.execute("ALTER TABLE acc_INVITE ADD COLUMN time_exten INTEGER")
    db.execute("UPDATE version SET table_version = ? WHERE table_name = 'acc'", (acc_version,))
    db.commit()
    db.close()


def rows(db, table, callid):
    con = sqlite3.connect(db, timeout=5)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM %s WHERE callid = ? ORDER BY id"
                                              % table, (callid,))]
    finally:
        con.close()


def recv(sock, seconds=2.0):
    sock.settimeout(seconds)
    try:
        return sock.recv(65536).decode()
    except socket.timeout:
        return None


def status(m):
    return int(m.split(" ", 2)[1]) if m else None


def to_tag(m):
    t = re.search(r"\r\nTo: [^\r]*;tag=([^;\r]+)", m or "")
    return t.group(1) if t else ""


class Call:
    def __init__(self, port, flags="", test=None, extra=""):
        self.port, self.flags, self.test, self.extra = port, flags, test, extra
        self.callid = "acc-%08x" % random.getrandbits(32)
        self.ftag = "f%06x" % random.getrandbits(24)

    def request(self, method="INVITE", cseq=1, tag=None, branch=None, extra=""):
        branch = branch or "z9hG4bK%08x" % random.getrandbits(32)
        if method == "INVITE":
            self.branch = branch
        msg = ("%s sip:bob@example.com SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
               "From: \"Alice\" <sip:alice@example.org>;tag=%s\r\n"
               "To: <sip:bob@example.com>%s\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
               "Max-Forwards: 70\r\nUser-Agent: acc test ua\r\nX-Uas: %d\r\n"
               "X-Flags: %s\r\n%s%s%sContent-Length: 0\r\n\r\n"
               % (method, uac.getsockname()[1], branch, self.ftag,
                  ";tag=" + tag if tag else "", self.callid, cseq, method,
                  uas.getsockname()[1], self.flags,
                  "X-Test: %s\r\n" % self.test if self.test else "", self.extra, extra))
        uac.sendto(msg.encode(), ("127.0.0.1", self.port))

    def reply(self, seconds=4.0):
        """The next reply to this call the caller gets (others' are skipped)."""
        end = time.time() + seconds
        while time.time() < end:
            m = recv(uac, end - time.time())
            if m and "\r\nCall-ID: %s\r\n" % self.callid in m:
                return m
        return None

    def final(self, method="INVITE"):
        """The first final reply to method; a negative one to an INVITE is ACKed."""
        while True:
            m = self.reply()
            if m is None:
                return m
            cseq = re.search(r"\r\nCSeq: [0-9]+ ([A-Z]+)", m)
            if status(m) >= 200 and cseq and cseq.group(1) == method:
                break
        if method == "INVITE" and status(m) >= 300:
            # hop by hop, on the INVITE's branch: tm stops sending it again
            self.request("ACK", tag=to_tag(m), branch=self.branch)
        return m


def uas_get(call, method="INVITE", seconds=3.0):
    """The next request of call's dialog with method the callee gets (others skipped)."""
    end = time.time() + seconds
    while time.time() < end:
        m = recv(uas, end - time.time())
        if m and m.startswith(method + " ") and "\r\nCall-ID: %s\r\n" % call.callid in m:
            return m
    return None


def reply_to(req, code, reason, tag="uas-tag", body=""):
    """The callee's reply to req, to the proxy's Via."""
    head = req.split("\r\n\r\n", 1)[0].split("\r\n")
    out = ["SIP/2.0 %d %s" % (code, reason)]
    for line in head[1:]:
        name = line.split(":", 1)[0].lower()
        if name in ("via", "from", "call-id", "cseq"):
            out.append(line)
        elif name == "to":
            out.append(line + ";tag=" + tag if code > 100 and ";tag=" not in line else line)
    if body:
        out.append("Content-Type: application/sdp")
    out.append("Content-Length: %d" % len(body))
    via = re.search(r"\r\nVia: SIP/2.0/UDP ([0-9.]+):([0-9]+)", req)
    uas.sendto(("\r\n".join(out) + "\r\n\r\n" + body).encode(),
               (via.group(1), int(via.group(2))))


def acc_lines(callid):
    """The ACC lines of the log for callid: (text, [(name, value)...])."""
    out = []
    with open(LOG, errors="replace") as f:
        for line in f:
            m = re.search(r"ACC: ([a-z ]+): (timestamp=.*)$", line.rstrip("\n"))
            if not m or ";call_id=%s;" % callid not in m.group(2):
                continue
            out.append((m.group(1), [tuple(kv.split("=", 1)) for kv in m.group(2).split(";")]))
    return out


def wait_lines(callid, n, seconds=3.0):
    """The lines of callid once there are n (and a moment for any more to show)."""
    end = time.time() + seconds
    while time.time() < end and len(acc_lines(callid)) < n:
        time.sleep(0.05)
    time.sleep(0.2)
    return acc_lines(callid)


def check_line(line, text, call, code, reason, totag, method="INVITE", what=""):
    """One line: its text, its attributes in upstream's order, and their values."""
    t, attrs = line
    names = [k for k, _ in attrs]
    d = dict(attrs)
    ok = (t == text and names == ["timestamp"] + CORE + EXTRA
          and abs(int(d["timestamp"]) - time.time()) < 10
          and d["method"] == method and d["from_tag"] == call.ftag and d["to_tag"] == totag
          and d["call_id"] == call.callid and d["code"] == code and d["reason"] == reason
          and d["src_user"] == "alice" and d["src_domain"] == "example.org"
          and d["src_ip"] == "127.0.0.1" and d["dst_ouser"] == "bob"
          and d["dst_user"] == "bob" and d["dst_domain"] == "example.com"
          and d["ua"] == "acc test ua" and d["none"] == "")
    check(ok, "%s: ACC: %s: %s" % (what, text, ";".join("%s=%s" % kv for kv in attrs)))


def check_row(row, call, code, reason, totag, method="INVITE", what=""):
    now = time.time()
    # SQLite keeps datetimes as Julian days, as upstream's driver writes them
    when = (row["time"] - 2440587.5) * 86400 if isinstance(row["time"], float) else 0
    ok = (row["method"] == method and row["from_tag"] == call.ftag and row["to_tag"] == totag
          and row["callid"] == call.callid and row["sip_code"] == code
          and row["sip_reason"] == reason and abs(when - now) < 10
          and row["src_user"] == "alice" and row["src_ip"] == "127.0.0.1"
          and row["dst_user"] == "bob")
    check(ok, "%s: row %s" % (what, row))


def start(db, *defines):
    args = ["-A", 'DB_URL="sqlite://%s"' % db]
    for d in defines:
        args += ["-A", d]
    port = run.start(kam, cfg, moddir, args)
    uac.settimeout(0.2)
    for _ in range(50):
        probe = Call(port, test="local", extra="X-Code: 200\r\n")
        probe.request("OPTIONS")
        if probe.reply(0.2):
            return port
    raise SystemExit("the daemon does not answer")


def refuses(db, define, needle, what):
    """The daemon does not start; its output says needle."""
    args = ["-A", 'DB_URL="sqlite://%s"' % db] + (["-A", define] if define else [])
    p = subprocess.run([kam, "-DD", "-E", "-f", cfg, "-L", moddir, "-l",
                        "udp:127.0.0.1:%d" % random.randint(20000, 31999)] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
    out = p.stdout.decode(errors="replace")
    check(p.returncode != 0 and needle in out, "%s: the daemon refuses to start" % what)
    if p.returncode == 0 or needle not in out:
        print(out[-2000:])


def answered(port, db):
    call = Call(port, "1")
    call.request()
    req = uas_get(call)
    reply_to(req, 180, "Ringing")
    reply_to(req, 200, "OK Fine")
    m = call.final()
    check(status(m) == 200, "answered: the caller gets the 200")
    lines = wait_lines(call.callid, 1)
    check(len(lines) == 1, "answered: one ACC line (%d)" % len(lines))
    if lines:
        check_line(lines[0], "transaction answered", call, "200", "OK Fine", "uas-tag",
                   what="answered")
    got = rows(db, "acc", call.callid)
    check(len(got) == 1, "answered: one acc row (%d)" % len(got))
    if got:
        check_row(got[0], call, "200", "OK Fine", "uas-tag", what="answered")
    check(not rows(db, "missed_calls", call.callid), "answered: no missed_calls row")

    # the ACK to the 2xx goes through the proxy: report_ack accounts it, once
    branch = "z9hG4bKack%08x" % random.getrandbits(32)
    call.request("ACK", tag="uas-tag", branch=branch)
    check(uas_get(call, "ACK") is not None, "report_ack: the ACK goes on")
    call.request("ACK", tag="uas-tag", branch=branch)
    uas_get(call, "ACK")
    lines = wait_lines(call.callid, 2)
    acks = [l for l in lines if l[0] == "request acknowledged"]
    check(len(acks) == 1, "report_ack: one ACK line for two ACKs (%d)" % len(acks))
    if acks:
        check_line(acks[0], "request acknowledged", call, "200", "OK Fine" if not reference
                   else "OK", "uas-tag", method="ACK", what="report_ack")
    got = [r for r in rows(db, "acc", call.callid) if r["method"] == "ACK"]
    check(len(got) == 1, "report_ack: one acc row of the ACK (%d)" % len(got))


def busy(port, db, flags, nlines, code=486, reason="Busy Here"):
    """A negative reply, nlines ACC lines expected: (call, lines, acc rows, missed rows)."""
    call = Call(port, flags)
    call.request()
    reply_to(uas_get(call), code, reason)
    m = call.final()
    check(status(m) == code, "flags %s: the caller gets the %d" % (flags, code))
    lines = wait_lines(call.callid, nlines)
    return call, lines, rows(db, "acc", call.callid), rows(db, "missed_calls", call.callid)


def negative(port, db):
    call, lines, acc, missed = busy(port, db, "2", 1)
    check(len(lines) == 1 and lines[0][0] == "call missed" and not acc and len(missed) == 1,
          "486, missed-call flag: one missed line and row, no acc row")
    if lines and missed:
        check_line(lines[0], "call missed", call, "486", "Busy Here", "uas-tag", what="486")
        check_row(missed[0], call, "486", "Busy Here", "uas-tag", what="486 missed_calls")
    call, lines, acc, missed = busy(port, db, "1", 0)
    check(not lines and not acc and not missed,
          "486, accounting flag only: no record (%d lines)" % len(lines))
    call, lines, acc, missed = busy(port, db, "123", 2)
    texts = [t for t, _ in lines]
    check(texts == ["call missed", "transaction answered"] and len(acc) == 1 and
          len(missed) == 1, "486, flags 1, 2, 3: missed and answered, a row each (%s)" % texts)
    if len(lines) == 2 and acc:
        check_line(lines[1], "transaction answered", call, "486", "Busy Here", "uas-tag",
                   what="486 failed")
        check_row(acc[0], call, "486", "Busy Here", "uas-tag", what="486 acc")


def no_flags(port, db):
    call = Call(port, "")
    call.request()
    reply_to(uas_get(call), 200, "OK")
    check(status(call.final()) == 200, "no flag: the call is answered")
    # the record would have been written before the next request's
    sentinel = Call(port, test="log", extra="X-Comment: sentinel\r\n")
    sentinel.request("OPTIONS")
    sentinel.reply()
    wait_lines(sentinel.callid, 1)
    check(not acc_lines(call.callid) and not rows(db, "acc", call.callid),
          "no flag: no line, no row")


def functions(port, db):
    call = Call(port, test="log", extra="X-Comment: hello world\r\n")
    call.request("OPTIONS")
    call.reply()
    lines = wait_lines(call.callid, 1)
    check(len(lines) == 1, "acc_log_request: one line")
    if lines:
        check_line(lines[0], "request accounted", call, "", "hello world", "",
                   method="OPTIONS", what="acc_log_request")
    call = Call(port, test="log", extra="X-Comment: 404 Not there\r\n")
    call.request("OPTIONS", tag="their-tag")
    call.reply()
    lines = wait_lines(call.callid, 1)
    if lines:
        check_line(lines[0], "request accounted", call, "404", "Not there", "their-tag",
                   method="OPTIONS", what="acc_log_request with a code")
    else:
        check(False, "acc_log_request with a code: one line")
    call = Call(port, test="db", extra="X-Comment: 480 Gone away\r\n")
    call.request("OPTIONS", tag="their-tag")
    call.reply()
    got = rows(db, "acc", call.callid)
    check(len(got) == 1 and not acc_lines(call.callid), "acc_db_request: one row, no line")
    if got:
        check_row(got[0], call, "480", "Gone away", "their-tag", method="OPTIONS",
                  what="acc_db_request")
    if not reference:
        # upstream writes NULL for the missing To tag, which the NOT NULL column refuses
        call = Call(port, test="db", extra="X-Comment: 480 Gone away\r\n")
        call.request("OPTIONS")
        call.reply()
        got = rows(db, "acc", call.callid)
        check(len(got) == 1 and got[0]["to_tag"] == "",
              "acc_db_request without a To tag: a row with '' (%s)" % got)
    call = Call(port, test="both", extra="X-Comment: 503 Both ways\r\n")
    call.request("OPTIONS", tag="their-tag")
    call.reply()
    lines = wait_lines(call.callid, 1)
    got = rows(db, "missed_calls", call.callid)
    # upstream's acc_request() fails on the database (a bad statement, in 5.6)
    check(len(lines) == 1 and (len(got) == 1 or reference), "acc_request: a line and a row")
    if got:
        check_row(got[0], call, "503", "Both ways", "their-tag", method="OPTIONS",
                  what="acc_request")


def local(port, db):
    call = Call(port, "1", test="local", extra="X-Code: 200\r\n")
    call.request("MESSAGE")
    m = call.final("MESSAGE")
    lines = wait_lines(call.callid, 1)
    # upstream's row has a NULL To tag, which the NOT NULL column refuses
    check(status(m) == 200 and len(lines) == 1 and
          (len(rows(db, "acc", call.callid)) == 1 or reference),
          "t_reply 200 of the proxy's own: a line and a row")
    if lines:
        # upstream: the request's To tag (none), ours: the tag the caller got
        check_line(lines[0], "transaction answered", call, "200", "OK",
                   "" if reference else to_tag(m), method="MESSAGE", what="local 200")


def timeout(port, db):
    call = Call(port, "2")
    call.request()
    check(uas_get(call) is not None, "timeout: the INVITE reaches the callee, which is silent")
    m = call.final()
    check(status(m) == 408, "timeout: the caller gets tm's 408")
    lines = wait_lines(call.callid, 1)
    missed = rows(db, "missed_calls", call.callid)
    check(len(lines) == 1 and len(missed) == 1, "timeout: a missed line and row")
    if lines and missed:
        check_line(lines[0], "call missed", call, "408", "Request Timeout", to_tag(m),
                   what="timeout")
        check_row(missed[0], call, "408", "Request Timeout", to_tag(m), what="timeout")


def serial(port, db):
    call = Call(port, "2", test="serial")
    call.request()
    reply_to(uas_get(call), 480, "Temporarily Unavailable")
    reply_to(uas_get(call), 486, "Busy Here", tag="uas-tag2")
    m = call.final()
    check(status(m) == 486, "serial forking: the caller gets the second attempt's 486")
    lines = wait_lines(call.callid, 2)
    missed = rows(db, "missed_calls", call.callid)
    check([(t, dict(a)["code"]) for t, a in lines] == [("call missed", "480"),
                                                      ("call missed", "486")]
          and [r["sip_code"] for r in missed] == ["480", "486"],
          "serial forking: a missed call per attempt (%s)" % [dict(a)["code"] for _, a in lines])


def forked(port, db):
    """Two branches: the record names the callee that answered ($rU, $rd of its branch)."""
    call = Call(port, "1", test="fork")
    call.request()
    first, second = uas_get(call), uas_get(call)
    for req in (first, second):
        if req and req.startswith("INVITE sip:carol@"):
            reply_to(req, 200, "OK", tag="carol-tag")
        elif req:
            reply_to(req, 486, "Busy Here")
    check(status(call.final()) == 200, "forking: the caller gets carol's 200")
    lines = [dict(a) for _, a in wait_lines(call.callid, 1)]
    got = rows(db, "acc", call.callid)
    check(len(lines) == 1 and lines[0]["dst_user"] == "carol" and
          lines[0]["dst_domain"] == "127.0.0.1" and lines[0]["to_tag"] == "carol-tag" and
          len(got) == 1 and got[0]["dst_user"] == "carol",
          "forking: the answering branch's R-URI in the record (%s)"
          % [(l["dst_user"], l["dst_domain"], l["to_tag"]) for l in lines])


def canceled(port, db):
    call = Call(port, "12")
    branch = "z9hG4bKc%08x" % random.getrandbits(32)
    call.request(branch=branch)
    req = uas_get(call)
    reply_to(req, 180, "Ringing")
    call.reply()
    call.reply()  # 100, 180
    call.request("CANCEL", branch=branch)
    cancel = uas_get(call, "CANCEL")
    check(cancel is not None and cancel.startswith("CANCEL "), "CANCEL: it reaches the callee")
    reply_to(cancel, 200, "OK")
    reply_to(req, 487, "Request Terminated")
    m = call.final()
    check(status(m) == 487, "CANCEL: the caller gets the 487")
    lines = wait_lines(call.callid, 1)
    check([(t, dict(a)["method"], dict(a)["code"]) for t, a in lines] ==
          [("call missed", "INVITE", "487")] and len(rows(db, "missed_calls", call.callid)) == 1
          and not rows(db, "acc", call.callid),
          "CANCEL: the 487 is a missed call, the CANCEL no record (%s)"
          % [(t, dict(a)["method"]) for t, a in lines])


def early_media(port, db):
    """early_media 1: a 183 with a body is accounted; time_mode 1; db_table_acc acc_$rm."""
    call = Call(port, "1")
    call.request()
    req = uas_get(call)
    reply_to(req, 180, "Ringing")
    reply_to(req, 183, "Session Progress", body="v=0\r\n")
    reply_to(req, 200, "OK")
    check(status(call.final()) == 200, "early media: the call is answered")
    lines = wait_lines(call.callid, 2)
    check([dict(a)["code"] for _, a in lines] == ["183", "200"],
          "early_media: the 183 with a body and the 200, not the 180 (%s)"
          % [dict(a)["code"] for _, a in lines])
    if lines:
        names = [k for k, _ in lines[0][1]]
        usec = dict(lines[0][1]).get("time_exten", "")
        check(names[:2] == ["timestamp", "time_exten"] and usec.isdigit() and
              int(usec) < 1000000, "time_mode 1: time_exten=%s after the timestamp" % usec)
    got = rows(db, "acc_INVITE", call.callid)
    now = time.time()
    check([r["sip_code"] for r in got] == ["183", "200"] and not rows(db, "acc", call.callid)
          and all(abs(r["time_attr"] - now) < 10 and 0 <= r["time_exten"] < 1000000
                  for r in got),
          "db_table_acc acc_$rm, time_mode 1: rows in acc_INVITE with time_attr, "
          "time_exten (%s)" % got)


def direction(port, db):
    """detect_direction: a BYE from the callee is accounted as the caller's dialog."""
    call = Call(port, "1")
    call.request()
    reply_to(uas_get(call), 200, "OK")
    check(status(call.final()) == 200, "detect_direction: the call is answered")
    # the callee's BYE, through our Record-Route (ftag: the caller's From tag)
    bye = Call(port, "1")
    bye.callid, bye.ftag = call.callid, "uas-tag"
    bye.request("BYE", cseq=2, tag=call.ftag,
                extra="Route: <sip:127.0.0.1:%d;lr;ftag=%s>\r\n" % (port, call.ftag))
    reply_to(uas_get(call, "BYE"), 200, "OK")
    check(status(bye.final("BYE")) == 200, "detect_direction: the BYE is answered")
    lines = [dict(a) for t, a in wait_lines(call.callid, 2) if dict(a)["method"] == "BYE"]
    check(len(lines) == 1 and lines[0]["from_tag"] == call.ftag and
          lines[0]["to_tag"] == "uas-tag",
          "detect_direction: the BYE's tags as the INVITE's (%s)"
          % [(l["from_tag"], l["to_tag"]) for l in lines])


def filtered(port, db):
    """failed_filter 486,600; db_table_acc acc_$rm."""
    call, lines, acc, missed = busy(port, db, "13", 0)
    check(not lines and not acc, "failed_filter: a 486 is not accounted")
    call, lines, acc, missed = busy(port, db, "13", 1, 480, "Temporarily Unavailable")
    check(len(lines) == 1 and not acc and len(rows(db, "acc_INVITE", call.callid)) == 1,
          "failed_filter: a 480 is; db_table_acc acc_$rm: in table acc_INVITE")


def main():
    db = os.path.join(run.work, "acc.db")
    if not reference:
        make_db(os.path.join(run.work, "v4.db"), acc_version=4)
        refuses(os.path.join(run.work, "v4.db"), None,
                "table acc has version 4, module expects 5", "acc table version 4")
        make_db(db)
        refuses(db, "BAD_EXTRA", "$nosuchvariable", "log_extra with an unknown variable")
        refuses(db, "DETECT_DIRECTION", "detect_direction needs the rr module",
                "detect_direction without rr")
    else:
        make_db(db)
    port = start(db)
    answered(port, db)
    negative(port, db)
    no_flags(port, db)
    functions(port, db)
    local(port, db)
    timeout(port, db)
    serial(port, db)
    forked(port, db)
    canceled(port, db)
    run.stop()
    port = start(db, "FAILED_FILTER", "OTHER_TABLE", "EARLY_MEDIA", "TIME_MODE",
                 "DETECT_DIRECTION", "WITH_RR")
    filtered(port, db)
    early_media(port, db)
    direction(port, db)
    run.stop("the second configuration: the daemon stops cleanly")


try:
    main()
finally:
    run.finish()
