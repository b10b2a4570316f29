#!/usr/bin/env python3
"""A temporary SQLite database for auth_db's tests, made from utils/db/sqlite the way
kamdbctl makes one (standard-create.sql, auth_db-create.sql), with two extra columns for
load_credentials and these subscribers in realm example.com:

    alice  password "secret"  ha1, ha1b computed (MD5)  email_address, rpid set
    bob    password "bobpw"   ha1, ha1b computed         email_address NULL

As a program it runs a command with the database: every "@DB@" in the command's
arguments becomes the database's path; the database goes when the command ends.

Usage: subscriber_db.py SCHEMA_DIR [--version N] -- COMMAND [ARG...]
"""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

REALM = "example.com"
USERS = {
    "alice": ("secret", "alice@example.org", "<sip:+4930123@example.com>"),
    "bob": ("bobpw", None, None),
}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def make_db(path, schema_dir, version=7):
    """Create the database at path; version: the subscriber table's row in `version`."""
    db = sqlite3.connect(path)
    for name in ("standard-create.sql", "auth_db-create.sql"):
        with open(os.path.join(schema_dir, name)) as f:
            db.executescript(f.read())
    # columns a deployment may add for load_credentials (upstream's old ones)
    db.execute("ALTER TABLE subscriber ADD COLUMN email_address VARCHAR(128)")
    db.execute("ALTER TABLE subscriber ADD COLUMN rpid VARCHAR(128)")
    for user, (password, email, rpid) in USERS.items():
        db.execute("INSERT INTO subscriber (username, domain, password, ha1, ha1b, "
                   "email_address, rpid) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (user, REALM, password, md5("%s:%s:%s" % (user, REALM, password)),
                    md5("%s@%s:%s:%s" % (user, REALM, REALM, password)), email, rpid))
    db.execute("UPDATE version SET table_version = ? WHERE table_name = 'subscriber'",
               (version,))
    db.commit()
    db.close()


def main(argv):
    if "--" not in argv or len(argv) < 3:
        sys.exit(__doc__)
    sep = argv.index("--")
    opts, cmd = argv[:sep], argv[sep + 1:]
    schema_dir, version = opts[0], 7
    if len(opts) == 3 and opts[1] == "--version":
        version = int(opts[2])
    work = tempfile.mkdtemp(prefix="auth-db-")
    try:
        path = os.path.join(work, "subscriber.db")
        make_db(path, schema_dir, version)
        return subprocess.call([a.replace("@DB@", path) for a in cmd])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
