#!/usr/bin/env python3
"""The database schema (utils/db): the committed scripts are what schema.json gives, the
SQLite ones load into SQLite with every column as the source says, and every table has
its row in `version` with the source's version, in the SQLite and the MySQL scripts.

    test_schema.py UTILS_DB_DIR
"""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

DB_DIR = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else None
SCHEMA_DIR = os.path.join(DB_DIR or ".", "schema")
sys.path.insert(0, SCHEMA_DIR)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import gen_schema  # noqa: E402


def scripts(dialect):
    """The group scripts of a dialect, the standard group (the version table) first."""
    schema = gen_schema.load()
    return [os.path.join(DB_DIR, dialect, f"{g['name']}-create.sql") for g in schema["groups"]]


def load_sqlite(db):
    for path in scripts("sqlite"):
        with open(path, encoding="utf-8") as f:
            db.executescript(f.read())


class Generated(unittest.TestCase):
    def test_up_to_date(self):
        rc = gen_schema.main(["--check", "--out", DB_DIR])
        self.assertEqual(rc, 0, "utils/db/*/ differ from schema.json: run gen_schema.py")

    def test_check_sees_a_stale_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.assertEqual(gen_schema.main(["--out", tmp]), 0)
            self.assertEqual(gen_schema.main(["--check", "--out", tmp]), 0)
            with open(os.path.join(tmp, "sqlite", "usrloc-create.sql"), "a") as f:
                f.write("-- edited by hand\n")
            open(os.path.join(tmp, "mysql", "gone-create.sql"), "w").close()
            self.assertEqual(gen_schema.main(["--check", "--out", tmp]), 1)

    def test_bad_schema_refused(self):
        schema = gen_schema.load()
        bad = [
            lambda s: s["groups"][0]["tables"].append("nosuch"),
            lambda s: s["groups"][1]["tables"].remove("location"),
            lambda s: s["tables"]["location"]["columns"].append({"name": "q", "type": "float"}),
            lambda s: s["tables"]["acc"]["columns"].append({"name": "x", "type": "varchar"}),
            lambda s: s["tables"]["acc"]["indexes"][0]["columns"].append("nocolumn"),
            lambda s: s["tables"]["acc"].pop("version"),
            lambda s: s["tables"]["acc"]["columns"].append(
                {"name": "y", "type": "int", "default": None}),
        ]
        for i, spoil in enumerate(bad):
            s = json.loads(json.dumps(schema))
            spoil(s)
            with self.assertRaises(gen_schema.SchemaError, msg=f"spoiled schema {i}"):
                gen_schema.check(s)


class Sqlite(unittest.TestCase):
    def setUp(self):
        self.schema = gen_schema.load()
        self.db = sqlite3.connect(":memory:")
        load_sqlite(self.db)

    def tearDown(self):
        self.db.close()

    def test_versions(self):
        rows = dict(self.db.execute("SELECT table_name, table_version FROM version"))
        want = {name: t["version"] for name, t in self.schema["tables"].items()}
        self.assertEqual(rows, want)
        # the ones the brief names, as Kamailio 5.x publishes them
        for table, version in {"version": 1, "location": 9, "location_attrs": 1,
                               "subscriber": 7, "aliases": 8, "acc": 5, "missed_calls": 4,
                               "address": 6, "trusted": 6, "domain": 2}.items():
            self.assertEqual(rows[table], version, table)

    def test_columns(self):
        for name, t in self.schema["tables"].items():
            info = self.db.execute(f"PRAGMA table_info({name})").fetchall()
            self.assertEqual([r[1] for r in info], [c["name"] for c in t["columns"]], name)
            for (cid, col, ctype, notnull, default, pk), c in zip(info, t["columns"]):
                where = f"{name}.{col}"
                if c.get("autoincrement"):
                    self.assertEqual((ctype, pk), ("INTEGER", 1), where)
                    continue
                self.assertEqual(bool(notnull), not c.get("null"), where)
                if c["type"] == "string":
                    self.assertEqual(ctype, f"VARCHAR({c['size']})", where)
                if "default" in c:
                    self.assertEqual(default, gen_schema.literal(c["default"]), where)
                else:
                    self.assertIsNone(default, where)

    def test_keys(self):
        for name, t in self.schema["tables"].items():
            indexes = {r[1]: r for r in self.db.execute(f"PRAGMA index_list({name})")}
            for key in t.get("indexes", []):
                idx = f"{name}_{key['name']}"
                self.assertIn(idx, indexes, name)
                cols = [r[2] for r in self.db.execute(f"PRAGMA index_info({idx})")]
                self.assertEqual(cols, key["columns"], idx)
            unique = [r for r in indexes.values() if r[2] and r[3] == "u"]
            got = sorted(tuple(c[2] for c in self.db.execute(f"PRAGMA index_info({r[1]})"))
                         for r in unique)
            self.assertEqual(got, sorted(tuple(u["columns"]) for u in t.get("unique", [])), name)
        # a unique key holds
        self.db.execute("INSERT INTO subscriber (username, domain) VALUES ('a', 'b')")
        with self.assertRaises(sqlite3.IntegrityError):
            self.db.execute("INSERT INTO subscriber (username, domain) VALUES ('a', 'b')")

    def test_defaults_fill_a_row(self):
        self.db.execute("INSERT INTO location (ruid) VALUES ('r')")
        row = self.db.execute("SELECT contact, q, callid, cseq, expires, domain FROM location")
        self.assertEqual(row.fetchone(),
                         ("", 1.0, "Default-Call-ID", 1, "2030-05-28 21:32:15", None))

    @unittest.skipUnless(shutil.which("sqlite3"), "no sqlite3 command")
    def test_sqlite3_command(self):
        """kamdbctl feeds the scripts to the sqlite3 command, one file after the other."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "k.db")
            for script in scripts("sqlite"):
                with open(script, "rb") as f:
                    p = subprocess.run(["sqlite3", "-bail", path], stdin=f, capture_output=True)
                self.assertEqual(p.returncode, 0, p.stderr.decode())
            out = subprocess.run(["sqlite3", path, "SELECT count(*) FROM version"],
                                 capture_output=True, text=True, check=True).stdout
            self.assertEqual(int(out), len(self.schema["tables"]))


class Mysql(unittest.TestCase):
    """No server here: the text is checked against the source table by table."""

    def test_tables_and_versions(self):
        schema = gen_schema.load()
        text = ""
        for path in scripts("mysql"):
            with open(path, encoding="utf-8") as f:
                text += f.read()
        tables = re.findall(r"CREATE TABLE `(\w+)` \((.*?)\n\);", text, re.S)
        self.assertEqual([t for t, _ in tables], [t for g in schema["groups"] for t in g["tables"]])
        for name, body in tables:
            cols = re.findall(r"^    `(\w+)` ", body, re.M)
            self.assertEqual(cols, [c["name"] for c in schema["tables"][name]["columns"]], name)
            self.assertIn("`id` INT(10) UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL", body)
        versions = dict(re.findall(
            r"INSERT INTO version \(table_name, table_version\) values \('(\w+)','(\d+)'\);", text))
        self.assertEqual({t: int(v) for t, v in versions.items()},
                         {name: t["version"] for name, t in schema["tables"].items()})
        self.assertEqual(text.count("("), text.count(")"))


if __name__ == "__main__":
    if not DB_DIR:
        sys.exit("usage: test_schema.py UTILS_DB_DIR")
    unittest.main(verbosity=1)
