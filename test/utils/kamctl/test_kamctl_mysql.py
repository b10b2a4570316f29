#!/usr/bin/env python3
"""kamdbctl and kamctl on a scratch MariaDB server (test/modules/db_mysql's
mariadb_server.py): create as root over the unix socket (every table, the version rows,
the read-write and read-only users with their grants), a second create refused, kamctl
add / show / passwd / rm as the read-write user over TCP and over the socket, a quoted
user name stored as it is, the errors (no server, no client, wrong password), drop.
Exits 77 (skipped) when mariadbd or the client is not installed.

Usage: test_kamctl_mysql.py SHELL KAMCTL KAMDBCTL SCHEMA_JSON MARIADB_HELPER_DIR
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

shell, kamctl, kamdbctl, schema_json, helper_dir = sys.argv[1:6]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, helper_dir)
from kamctl_env import Env, subscriber_hashes  # noqa: E402
from mariadb_server import MariaDB, skip_unless_available  # noqa: E402

skip_unless_available()
env = Env("kamctl-mysql-", shell, kamctl, kamdbctl)
check = env.check
# an _ in the name: GRANT must not take it as a wildcard
DB = "kamailio_t1"

with open(schema_json) as f:
    want_versions = {name: t["version"] for name, t in json.load(f)["tables"].items()}

m = MariaDB(os.path.join(env.work, "mariadb"))
try:
    m.start()

    def q(s):
        return "'%s'" % s.replace("\\", "\\\\").replace("'", "''")

    def subscriber(user, domain):
        out = m.sql("SELECT password, ha1, ha1b FROM subscriber WHERE username = %s AND "
                    "domain = %s" % (q(user), q(domain)), db=DB, names=False).splitlines()
        if len(out) != 1:
            return None
        # batch mode escapes \ as \\ in what it prints
        return tuple(v.replace("\\\\", "\\") for v in out[0].split("\t"))

    def stored_right(user, domain, password, what):
        want = (password,) + subscriber_hashes(user, domain, password)
        got = subscriber(user, domain)
        check(got == want, "%s: %r@%s stored as %r (want %r)" % (what, user, domain, got, want))

    def grants_of(who):
        # batch mode prints a \ as \\
        return m.sql("SHOW GRANTS FOR %s" % who, names=False).replace("\\\\", "\\")

    def schemas():
        return set(m.sql("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA", names=False).split())

    base = dict(DBENGINE="MYSQL", DBNAME=DB, DBHOST="127.0.0.1", DBPORT=m.port,
                DBROOTHOST=m.socket, DBROOTUSER="root", DBROOTPW="", DBRWUSER="kamailio",
                DBRWPW="kamailiorw", DBROUSER="kamailioro", DBROPW="kamailioro",
                SIP_DOMAIN="example.org", STORE_PLAINTEXT_PW=1)
    env.rc(**base)

    # --- kamdbctl create ---
    r = env.kamdbctl("create")
    check(r.returncode == 0, "kamdbctl create (root over the unix socket)")
    tables = set(m.sql("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                       "TABLE_SCHEMA = %s" % q(DB), names=False).split())
    check(tables == set(want_versions), "every table of schema.json is there (%s)" % sorted(tables))
    versions = {t: int(v) for t, v in (line.split("\t") for line in m.sql(
        "SELECT table_name, table_version FROM version", db=DB, names=False).splitlines())}
    check(versions == want_versions, "the version table holds each table's version")
    users = set(m.sql("SELECT CONCAT(User, '@', Host) FROM mysql.user", names=False).split())
    check({"kamailio@localhost", "kamailio@127.0.0.1", "kamailioro@localhost",
           "kamailioro@127.0.0.1"} <= users, "the rw and ro users, for localhost and DBHOST")
    grants = grants_of("'kamailioro'@'127.0.0.1'")
    check("GRANT SELECT ON `kamailio\\_t1`.*" in grants and "INSERT" not in grants,
          "the ro user may SELECT on the database only (%r)" % grants)
    grants = grants_of("'kamailio'@'localhost'")
    check("GRANT ALL PRIVILEGES ON `kamailio\\_t1`.*" in grants, "the rw user has every right (%r)"
          % grants)

    r = env.kamdbctl("create")
    check(r.returncode == 1 and "exists already" in r.stderr, "a second create is refused")

    # --- kamctl over TCP, as the rw user ---
    r = env.kamctl("add", "alice", "secret")
    check(r.returncode == 0, "kamctl add alice (TCP, rw user)")
    stored_right("alice", "example.org", "secret", "add")
    r = env.kamctl("add", "alice", "again")
    check(r.returncode == 1 and "exists" in r.stderr, "an existing user is refused")

    tricky = "o'brien\\'); DROP TABLE subscriber; -- \""
    r = env.kamctl("add", tricky + "@other.net", "p\\'w")
    check(r.returncode == 0, "a user name with quotes, backslashes and SQL is added")
    check("subscriber" in m.sql("SHOW TABLES", db=DB, names=False).split(), "... the table is still there")
    stored_right(tricky, "other.net", "p\\'w", "quoted name")

    r = env.kamctl("show", "alice")
    ha1, ha1b = subscriber_hashes("alice", "example.org", "secret")
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and len(lines) == 2 and lines[0].startswith("id|username|domain|")
          and lines[1].endswith("|alice|example.org|secret|%s|%s" % (ha1, ha1b)),
          "kamctl show alice: a header and her row")
    r = env.kamctl("show")
    check(r.returncode == 0 and len(r.stdout.splitlines()) == 3, "kamctl show: both rows")

    r = env.kamctl("passwd", "alice", "n3w")
    check(r.returncode == 0, "kamctl passwd")
    stored_right("alice", "example.org", "n3w", "passwd")
    r = env.kamctl("rm", "alice")
    check(r.returncode == 0 and subscriber("alice", "example.org") is None, "kamctl rm")
    r = env.kamctl("rm", "alice")
    check(r.returncode == 1 and "non-existent" in r.stderr, "rm of a missing user fails")

    # --- over the unix socket, and a wrong password ---
    env.rc(**dict(base, DBHOST=m.socket, DBPORT=""))
    r = env.kamctl("add", "bob", "b0b")
    check(r.returncode == 0, "kamctl add over the unix socket (DBHOST=/path)")
    stored_right("bob", "example.org", "b0b", "add over the socket")
    env.rc(**dict(base, DBRWPW="wrong"))
    r = env.kamctl("add", "carol", "x")
    check(r.returncode == 1 and subscriber("carol", "example.org") is None,
          "a wrong rw password: refused, nothing written")

    # --- errors ---
    env.rc(**dict(base, MYSQL=os.path.join(env.work, "no-mariadb")))
    r = env.kamdbctl("drop")
    check(r.returncode == 1 and "not found" in r.stderr and DB in schemas(),
          "kamdbctl: a missing client")
    env.rc(**dict(base, DBROOTHOST=os.path.join(env.work, "no.sock")))
    r = env.kamdbctl("drop")
    check(r.returncode == 1 and "cannot connect" in r.stderr and DB in schemas(),
          "kamdbctl: no server")

    # --- drop, reinit ---
    env.rc(**base)
    r = env.kamdbctl("drop")
    check(r.returncode == 0 and DB not in schemas(), "kamdbctl drop")
    grants = grants_of("'kamailio'@'localhost'")
    check("kamailio" in grants and "kamailio\\_t1" not in grants,
          "... and the users' rights on it go (%r)" % grants)
    r = env.kamdbctl("drop")
    check(r.returncode == 1 and "does not exist" in r.stderr, "drop of a missing database fails")
    r = env.kamdbctl("-y", "reinit", "kamailio2")
    check(r.returncode == 0 and "kamailio2" in schemas(), "kamdbctl reinit NAME creates NAME")
    r = env.kamctl("add", "dave", "x")
    check(r.returncode == 1, "kamctl on the dropped DBNAME fails")
    r = env.kamdbctl("drop", "kamailio2")
    check(r.returncode == 0 and "kamailio2" not in schemas(), "kamdbctl drop NAME")
    check(not [f for f in os.listdir(env.work) if f.startswith("kamctl.")],
          "no temporary files left")
finally:
    m.cleanup()

env.finish()
