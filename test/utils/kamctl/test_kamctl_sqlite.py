#!/usr/bin/env python3
"""kamdbctl and kamctl on a scratch SQLite database: create (every table of schema.json
with its version row), a second create refused, kamctl add / show / passwd / rm with
ha1 and ha1b checked against MD5 computed here, quotes and SQL in a user name stored as
they are, the kamctlrc files' order, the errors (bad DBENGINE, missing client, missing
domain, unknown command), drop and reinit.

Usage: test_kamctl_sqlite.py SHELL KAMCTL KAMDBCTL SCHEMA_JSON
"""
import json
import os
import sqlite3
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kamctl_env import Env, subscriber_hashes  # noqa: E402

shell, kamctl, kamdbctl, schema_json = sys.argv[1:5]
env = Env("kamctl-sqlite-", shell, kamctl, kamdbctl)
check = env.check
db = os.path.join(env.work, "kamailio.db")

with open(schema_json) as f:
    want_versions = {name: t["version"] for name, t in json.load(f)["tables"].items()}


def rows(sql, args=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def subscriber(user, domain):
    r = rows("SELECT password, ha1, ha1b FROM subscriber WHERE username = ? AND domain = ?",
             (user, domain))
    return r[0] if len(r) == 1 else None


def stored_right(user, domain, password, plain=True, what=""):
    ha1, ha1b = subscriber_hashes(user, domain, password)
    got = subscriber(user, domain)
    return check(got == (password if plain else "", ha1, ha1b),
                 "%s: %r@%s has password, ha1, ha1b %r (want %r)"
                 % (what, user, domain, got, (password if plain else "", ha1, ha1b)))


env.rc(DBENGINE="SQLITE", DB_PATH=db, SIP_DOMAIN="example.org", STORE_PLAINTEXT_PW=1)

# --- kamdbctl create ---
r = env.kamdbctl("create")
check(r.returncode == 0, "kamdbctl create succeeds")
tables = {t for (t,) in rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
check(tables == set(want_versions), "every table of schema.json is there (got %s)" % sorted(tables))
versions = dict(rows("SELECT table_name, table_version FROM version"))
check(versions == want_versions, "the version table holds each table's version")

r = env.kamdbctl("create")
check(r.returncode == 1 and "exists already" in r.stderr, "a second create is refused")
check(dict(rows("SELECT table_name, table_version FROM version")) == want_versions,
      "... and leaves the database as it was")

# --- kamctl add / show / passwd / rm ---
r = env.kamctl("add", "alice", "secret")
check(r.returncode == 0 and "alice@example.org" in r.stdout, "kamctl add alice (SIP_DOMAIN)")
stored_right("alice", "example.org", "secret", what="add")
r = env.kamctl("add", "alice@example.org", "other")
check(r.returncode == 1 and "exists" in r.stderr, "an existing user is refused")
stored_right("alice", "example.org", "secret", what="refused add")

r = env.kamctl("add", "bob@other.net", "b0b")
check(r.returncode == 0, "kamctl add USER@DOMAIN")
stored_right("bob", "other.net", "b0b", what="add with a domain")

tricky = "o'brien\"); DROP TABLE subscriber; --\\"
tricky_pw = "p'w\"\\ $x `id`"
r = env.kamctl("add", tricky, tricky_pw)
check(r.returncode == 0, "a user name with quotes and SQL is added")
check("subscriber" in {t for (t,) in rows("SELECT name FROM sqlite_master")},
      "... and the subscriber table is still there")
stored_right(tricky, "example.org", tricky_pw, what="quoted name")
r = env.kamctl("show", tricky)
check(r.returncode == 0 and tricky in r.stdout, "kamctl show finds it")

r = env.kamctl("show", "alice")
lines = r.stdout.splitlines()
ha1, ha1b = subscriber_hashes("alice", "example.org", "secret")
check(r.returncode == 0 and len(lines) == 2 and lines[0].startswith("id|username|domain|")
      and lines[1].endswith("|alice|example.org|secret|%s|%s" % (ha1, ha1b)),
      "kamctl show alice: a header and her row")
r = env.kamctl("show")
check(r.returncode == 0 and len(r.stdout.splitlines()) == 4, "kamctl show: all three rows")
r = env.kamctl("show", "nobody")
check(r.returncode == 1 and "non-existent" in r.stderr, "show of a missing user fails")

r = env.kamctl("passwd", "alice", "n3w")
check(r.returncode == 0, "kamctl passwd")
stored_right("alice", "example.org", "n3w", what="passwd")
stored_right("bob", "other.net", "b0b", what="another user after passwd")
r = env.kamctl("passwd", "nobody", "x")
check(r.returncode == 1 and "non-existent" in r.stderr, "passwd of a missing user fails")

r = env.kamctl("rm", "alice")
check(r.returncode == 0 and subscriber("alice", "example.org") is None, "kamctl rm alice")
check(subscriber("bob", "other.net") is not None, "... bob stays")
r = env.kamctl("rm", "alice")
check(r.returncode == 1 and "non-existent" in r.stderr, "rm of a missing user fails")

# STORE_PLAINTEXT_PW=0: the hashes only
env.rc(DBENGINE="sqlite", DB_PATH=db, SIP_DOMAIN="example.org", STORE_PLAINTEXT_PW=0)
r = env.kamctl("add", "carol", "hidden")
check(r.returncode == 0, "add with STORE_PLAINTEXT_PW=0 (and dbengine in lower case)")
stored_right("carol", "example.org", "hidden", plain=False, what="no plain text")

# --- the kamctlrc files: ~/.kamctlrc, then KAMCTLRC over it ---
env.rc(DBENGINE="SQLITE", DB_PATH=db, STORE_PLAINTEXT_PW=1)
r = env.kamctl("add", "dave", "x")
check(r.returncode == 1 and "SIP_DOMAIN" in r.stderr, "no domain and no SIP_DOMAIN: refused")
with open(os.path.join(env.home, ".kamctlrc"), "w") as f:
    f.write("SIP_DOMAIN=home.example\nDB_PATH=/nonexistent/db\n")
r = env.kamctl("add", "dave", "x")
check(r.returncode == 0 and subscriber("dave", "home.example") is not None,
      "~/.kamctlrc is read, and KAMCTLRC overrides it")
os.unlink(os.path.join(env.home, ".kamctlrc"))
r = env.kamctl("show", env={"KAMCTLRC": os.path.join(env.work, "missing")})
check(r.returncode == 1 and "KAMCTLRC" in r.stderr, "a KAMCTLRC that does not exist is an error")

# --- errors ---
env.rc(DBENGINE="POSTGRES", DB_PATH=db, SIP_DOMAIN="example.org")
r = env.kamctl("add", "erin", "x")
check(r.returncode == 1 and "unknown database engine" in r.stderr, "kamctl: a bad DBENGINE")
r = env.kamdbctl("drop")
check(r.returncode == 1 and "unknown database engine" in r.stderr, "kamdbctl: a bad DBENGINE")
env.rc(DB_PATH=db, SIP_DOMAIN="example.org")
r = env.kamdbctl("create")
check(r.returncode == 1 and "DBENGINE" in r.stderr, "kamdbctl: no DBENGINE")
env.rc(DBENGINE="SQLITE", DB_PATH=db, SIP_DOMAIN="example.org",
       SQLITE3=os.path.join(env.work, "no-sqlite3"))
r = env.kamctl("show")
check(r.returncode == 1 and "not found" in r.stderr, "kamctl: a missing sqlite3 client")
r = env.kamdbctl("drop")
check(r.returncode == 1 and "not found" in r.stderr and os.path.exists(db),
      "kamdbctl: a missing sqlite3 client")

env.rc(DBENGINE="SQLITE", DB_PATH=db, SIP_DOMAIN="example.org")
for args, what in (((), "no command"), (("frobnicate",), "an unknown command"),
                   (("add", "x"), "add without a password"), (("ul",), "ul without a verb")):
    r = env.kamctl(*args)
    check(r.returncode == 1 and "usage: kamctl" in r.stderr, "kamctl: usage and 1 on " + what)
r = env.kamdbctl()
check(r.returncode == 1 and "usage: kamdbctl" in r.stderr, "kamdbctl: usage and 1 on no command")
r = env.kamdbctl("frobnicate")
check(r.returncode == 1 and "usage: kamdbctl" in r.stderr,
      "kamdbctl: usage and 1 on an unknown one")
r = env.kamctl("version")
check(r.returncode == 0 and r.stdout.startswith("kamctl 5."), "kamctl version")
r = env.kamdbctl("version")
check(r.returncode == 0 and r.stdout.startswith("kamdbctl 5."), "kamdbctl version")

# --- reinit, drop ---
r = env.kamdbctl("-y", "reinit")
check(r.returncode == 0 and rows("SELECT COUNT(*) FROM subscriber") == [(0,)]
      and dict(rows("SELECT table_name, table_version FROM version")) == want_versions,
      "kamdbctl reinit: the tables again, empty")
r = env.kamdbctl("drop")
check(r.returncode == 0 and not os.path.exists(db), "kamdbctl drop removes the database")
r = env.kamdbctl("drop")
check(r.returncode == 1 and "does not exist" in r.stderr, "drop of a missing database fails")
r = env.kamctl("show")
check(r.returncode == 1 and not os.path.exists(db),
      "kamctl on a missing database fails and creates nothing")

other = os.path.join(env.work, "other.db")
r = env.kamdbctl("create", other)
check(r.returncode == 0 and os.path.exists(other) and not os.path.exists(db),
      "kamdbctl create FILE makes that file")
r = env.kamdbctl("reinit", db)
check(r.returncode == 0 and os.path.exists(db), "kamdbctl reinit of a missing database creates it")
check(not [f for f in os.listdir(env.work) if "kamdbctl-" in f or f.startswith("kamctl.")],
      "no temporary files left")

env.finish()
