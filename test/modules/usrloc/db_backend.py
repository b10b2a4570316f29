#!/usr/bin/env python3
"""The database of a test: SQLite (a file made from utils/db/sqlite) or MariaDB (a server
the test starts itself, test/modules/db_mysql/mariadb_server.py; exit 77 when mariadbd
is not installed), with the same few operations: create the tables, read the location
rows, run SQL, add a subscriber, make the database go away and come back.
"""
import calendar
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "db_mysql"))


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def to_unix(v):
    """A datetime column as seconds since the epoch (UTC), whatever the driver stored."""
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return round((float(v) - 2440587.5) * 86400)  # a julian day (db_sqlite)
    return calendar.timegm(time.strptime(str(v)[:19], "%Y-%m-%d %H:%M:%S"))


class SQLiteDB:
    driver = "db_sqlite.so"
    client = "sqlite3"

    def kamctl_settings(self):
        return {"DBENGINE": "SQLITE", "DB_PATH": self.path}

    def __init__(self, work, schema):
        self.work = work
        self.schema = schema
        self.path = os.path.join(work, "kamailio.db")
        self.url = "sqlite://" + self.path

    def create(self, location_version=9):
        if os.path.exists(self.path):
            os.unlink(self.path)
        db = sqlite3.connect(self.path)
        for name in ("standard-create.sql", "usrloc-create.sql", "auth_db-create.sql"):
            with open(os.path.join(self.schema, name)) as f:
                db.executescript(f.read())
        db.execute("UPDATE version SET table_version = ? WHERE table_name = 'location'",
                   (location_version,))
        db.commit()
        db.close()

    def rows(self, table="location"):
        db = sqlite3.connect(self.path)
        db.row_factory = sqlite3.Row
        out = [dict(r) for r in db.execute("SELECT * FROM %s ORDER BY id" % table)]
        db.close()
        return out

    def execute(self, sql, args=()):
        db = sqlite3.connect(self.path)
        db.execute(sql, args)
        db.commit()
        db.close()

    def datetime_sql(self, t):
        # as db_sqlite (and upstream's) binds a datetime: a julian day number
        return t / 86400.0 + 2440587.5

    def go_away(self):
        os.rename(self.path, self.path + ".away")

    def come_back(self):
        os.rename(self.path + ".away", self.path)

    def cleanup(self):
        pass


class MariaDBBackend:
    driver = "db_mysql.so"
    client = "mariadb"

    def kamctl_settings(self):
        return {"DBENGINE": "MYSQL", "DBHOST": self.srv.socket, "DBNAME": self.name,
                "DBRWUSER": "kamailio", "DBRWPW": "kamailiorw"}

    def __init__(self, work, schema):
        import mariadb_server
        self.work = work
        self.schema = os.path.join(os.path.dirname(schema), "mysql")
        mariadb_server.skip_unless_available()
        self.srv = mariadb_server.MariaDB(os.path.join(work, "mariadb"))
        self.srv.start()
        self.n = 0
        self.name = None
        self.url = None

    def create(self, location_version=9):
        self.n += 1
        self.name = "kam%d" % self.n
        self.srv.create_db(self.name, self.schema)
        self.srv.sql("UPDATE version SET table_version = %d WHERE table_name = 'location'"
                     % location_version, db=self.name)
        self.url = self.srv.url(self.name)

    def rows(self, table="location"):
        out = self.srv.sql("SELECT * FROM %s ORDER BY id" % table, db=self.name)
        lines = [l for l in out.split("\n") if l]
        if not lines:
            return []
        names = lines[0].split("\t")
        rows = []
        for line in lines[1:]:
            vals = [None if v == "NULL" else v for v in line.split("\t")]
            rows.append(dict(zip(names, vals)))
        return rows

    def execute(self, sql, args=()):
        def lit(a):
            if isinstance(a, (int, float)):
                return str(a)
            return "'" + str(a).replace("\\", "\\\\").replace("'", "''") + "'"
        parts = sql.split("?")
        text = parts[0] + "".join(lit(a) + p for a, p in zip(args, parts[1:]))
        self.srv.sql(text, db=self.name)

    def datetime_sql(self, t):
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))

    def go_away(self):
        self.srv.stop()

    def come_back(self):
        self.srv.start_again()

    def cleanup(self):
        self.srv.cleanup()




def add_subscriber(db, user, domain, password, kamctl=None):
    """A subscriber: by `kamctl add` (the operator's way) when kamctl is the path of the
    build's script and its database client is installed, else the same row written here
    (password, ha1, ha1b). Returns how it was made."""
    if kamctl and os.path.exists(kamctl) and shutil.which(db.client):
        rc = os.path.join(db.work, "kamctlrc")
        with open(rc, "w") as f:
            for k, v in db.kamctl_settings().items():
                f.write("%s='%s'\n" % (k, v))
        env = dict(os.environ, KAMCTLRC=rc)
        r = subprocess.run(["sh", kamctl, "add", "%s@%s" % (user, domain), password],
                           env=env, capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("kamctl add failed: %s%s" % (r.stdout, r.stderr))
        return "kamctl add"
    db.execute("INSERT INTO subscriber (username, domain, password, ha1, ha1b) "
               "VALUES (?, ?, ?, ?, ?)",
               (user, domain, password, md5("%s:%s:%s" % (user, domain, password)),
                md5("%s@%s:%s:%s" % (user, domain, domain, password))))
    return "an INSERT like kamctl's (kamctl or its database client not available)"


def make(work, schema, mysql):
    """The backend: MariaDBBackend when mysql, else SQLiteDB; schema: utils/db/sqlite."""
    return MariaDBBackend(work, schema) if mysql else SQLiteDB(work, schema)
