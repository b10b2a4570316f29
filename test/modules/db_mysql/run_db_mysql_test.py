#!/usr/bin/env python3
"""Runs test_db_mysql (cmocka) against a scratch MariaDB server (mariadb_server.py).

Usage: run_db_mysql_test.py TEST_BINARY SCHEMA_DIR

The server gets the database `kamailio` from SCHEMA_DIR (utils/db/mysql) and the user
kamailio/kamailiorw. The test binary finds the server in its environment
(KSR_MYSQL_URL, KSR_MYSQL_PORT) and drives it through two pipes (KSR_MYSQL_CTL_W and
KSR_MYSQL_CTL_R, file descriptors): it writes one command per line and reads "ok" or
"error: ..." back:

    reset    drop the database and make it anew (a clean start for each test)
    stop     shut the server down (connections are lost)
    start    start it again on the same data and port
    pause    SIGSTOP the server: it takes connections and statements but never answers
    resume   SIGCONT it

Exits with the test's status, or 77 (skipped) when MariaDB is not installed.
"""
import os
import signal
import subprocess
import sys
import tempfile
import threading

here = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, here)
from mariadb_server import MariaDB, skip_unless_available  # noqa: E402

binary, schema = sys.argv[1:3]
skip_unless_available()
DB = "kamailio"


def serve(db, rfd, wfd):
    """Answer the test's commands until it closes its end."""
    paused = False
    with os.fdopen(rfd, "r") as cmds, os.fdopen(wfd, "w") as replies:
        for line in cmds:
            cmd = line.strip()
            try:
                if cmd == "reset":
                    db.sql("DROP DATABASE IF EXISTS `%s`" % DB)
                    db.create_db(DB, schema)
                elif cmd == "stop":
                    db.stop()
                elif cmd == "start":
                    db.start_again()
                elif cmd == "pause":
                    os.kill(db.proc.pid, signal.SIGSTOP)
                    paused = True
                elif cmd == "resume":
                    os.kill(db.proc.pid, signal.SIGCONT)
                    paused = False
                else:
                    raise ValueError("unknown command %r" % cmd)
                replies.write("ok\n")
            except Exception as e:  # the test reports it; keep serving
                replies.write("error: %s\n" % str(e).replace("\n", " | "))
            replies.flush()
    if paused and db.proc:
        os.kill(db.proc.pid, signal.SIGCONT)


with tempfile.TemporaryDirectory(prefix="ksr-db-mysql-") as work, MariaDB(work) as db:
    db.create_db(DB, schema)
    to_test_r, to_test_w = os.pipe()
    from_test_r, from_test_w = os.pipe()
    env = dict(os.environ, KSR_MYSQL_URL=db.url(DB), KSR_MYSQL_PORT=str(db.port),
               KSR_MYSQL_CTL_W=str(from_test_w), KSR_MYSQL_CTL_R=str(to_test_r))
    proc = subprocess.Popen([binary], env=env, pass_fds=(from_test_w, to_test_r))
    os.close(from_test_w)
    os.close(to_test_r)
    server = threading.Thread(target=serve, args=(db, from_test_r, to_test_w), daemon=True)
    server.start()
    try:
        rc = proc.wait(timeout=240)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
        print("run_db_mysql_test: the test did not finish in 240 s")
    server.join(timeout=30)
    if db.proc:
        os.kill(db.proc.pid, signal.SIGCONT)
sys.exit(rc if rc >= 0 else 128 - rc)
