#!/usr/bin/env python3
"""A scratch MariaDB server for tests (python3, standard library only).

    from mariadb_server import MariaDB, skip_unless_available

    skip_unless_available()          # exit 77 (CTest SKIP_RETURN_CODE) without mariadbd
    with MariaDB(workdir) as db:     # start() ... cleanup()
        db.create_db("kamailio", "utils/db/mysql")
        url = db.url("kamailio")     # mysql://kamailio:kamailiorw@127.0.0.1:PORT/kamailio
        db.sql("SELECT 1 AS one", db="kamailio")   # "one\n1\n": names, then rows
        db.sql("SELECT 1", db="kamailio", names=False)  # "1\n": the rows only
        db.query("SELECT * FROM version", db="kamailio")  # [{"id": "1", ...}, ...]
        db.stop(); db.start_again()  # the database goes away and comes back

The server listens on 127.0.0.1 only, on a free port, with its own unix socket; its data
directory is made by mariadb-install-db under workdir (root reaches it over the socket
without a password), it reads no my.cnf, and it is small (8 MB buffer pool, no
performance_schema, no binary log) so that it starts in a fraction of a second and two
tests can run one each at once. Running as root works (CI does): --user=root is passed
then. If the test is killed, the server gets SIGTERM (PR_SET_PDEATHSIG); the kernel ties
that to the thread that started it, so call start() and start_again() from a thread that
lives as long as the server should (the main one, or one serving the whole test).
"""
import atexit
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

__all__ = ["MariaDB", "server_binary", "skip_unless_available"]

SKIP = 77  # CTest SKIP_RETURN_CODE


def _which(*names):
    for name in names:
        for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin", "/usr/bin",
                                                                 "/sbin", "/usr/local/sbin"]:
            p = os.path.join(d, name)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                return p
    return None


def server_binary():
    """The path of mariadbd (or mysqld), or None."""
    return _which("mariadbd", "mysqld")


def _install_db():
    return _which("mariadb-install-db", "mysql_install_db")


def _client():
    return _which("mariadb", "mysql")


def skip_unless_available():
    """Exit with 77 (a CTest skip) when the server or its tools are not installed."""
    missing = [what for what, path in (("mariadbd", server_binary()),
                                       ("mariadb-install-db", _install_db()),
                                       ("the mariadb client", _client())) if not path]
    if missing:
        print("SKIP: %s not installed (apt-get install mariadb-server)" % ", ".join(missing))
        sys.stdout.flush()
        sys.exit(SKIP)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """In the child before exec: SIGTERM when the test process goes away."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _quote_ident(name):
    if not name or "`" in name or "\0" in name:
        raise ValueError("bad SQL name %r" % name)
    return "`%s`" % name


def _quote_str(s):
    return "'%s'" % s.replace("\\", "\\\\").replace("'", "''")


class MariaDB:
    """One scratch server whose files live under workdir."""

    START_TIMEOUT = 30.0
    STOP_TIMEOUT = 20.0

    def __init__(self, workdir):
        self.workdir = os.path.abspath(workdir)
        self.datadir = None
        self.port = None
        self.socket = None
        self.proc = None
        self._sockdir = None
        self._base = None
        self._log = None

    # ---- life cycle -------------------------------------------------------------------

    def start(self):
        """Make a new data directory and start the server on a free port."""
        if self.proc:
            raise RuntimeError("MariaDB: already started")
        for what, path in (("mariadbd", server_binary()), ("mariadb-install-db", _install_db()),
                           ("mariadb", _client())):
            if not path:
                raise RuntimeError("MariaDB: %s not installed (apt-get install mariadb-server)"
                                   % what)
        os.makedirs(self.workdir, exist_ok=True)
        self._base = tempfile.mkdtemp(prefix="mariadb-", dir=self.workdir)
        self.datadir = os.path.join(self._base, "data")
        self._log = os.path.join(self._base, "error.log")
        self.socket = os.path.join(self._base, "mysqld.sock")
        if len(self.socket.encode()) > 100:
            # sun_path holds 108 bytes: a deep build tree gets its socket in /tmp
            self._sockdir = tempfile.mkdtemp(prefix="ksr-my-")
            self.socket = os.path.join(self._sockdir, "mysqld.sock")
        atexit.register(self.cleanup)
        self._install()
        # another test may take the port between our probe and the server's bind: retry
        for attempt in range(5):
            self.port = _free_port()
            if self._launch(fail_on_port_taken=attempt < 4):
                return self
        raise RuntimeError("MariaDB: no free port")

    def stop(self):
        """Shut the server down and wait for it (killed after STOP_TIMEOUT)."""
        p, self.proc = self.proc, None
        if not p:
            return
        if p.poll() is None:
            p.terminate()  # mariadbd shuts down cleanly on SIGTERM
            try:
                p.wait(self.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def start_again(self):
        """Start the stopped server again on the same data directory and port."""
        if self.proc:
            raise RuntimeError("MariaDB: still running")
        if not self.datadir:
            raise RuntimeError("MariaDB: start_again() before start()")
        # the port was ours until stop(); if someone took it since, wait a little
        deadline = time.monotonic() + 10
        while not self._launch(fail_on_port_taken=time.monotonic() < deadline):
            time.sleep(0.2)
        return self

    def cleanup(self):
        """Stop the server and remove its files."""
        self.stop()
        for d in (self._base, self._sockdir):
            if d:
                shutil.rmtree(d, ignore_errors=True)
        self._base = self._sockdir = self.datadir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
        return False

    # ---- SQL --------------------------------------------------------------------------

    def sql(self, statement, db=None, names=True):
        """Run statement(s) as root over the unix socket and return the client's stdout, as
        `mariadb` prints it when fed a script: for each statement with rows, a line of
        column names, then one line per row, values tab-separated, NULL as "NULL", and
        \\ \t \n escaped as batch mode does. names=False leaves out the lines of
        names (--skip-column-names). Raises RuntimeError with the client's message."""
        cmd = [_client(), "--no-defaults", "--user=root", "--socket=" + self.socket,
               "--batch", "--default-character-set=utf8mb4"]
        if not names:
            cmd.append("--skip-column-names")
        if db:
            cmd.append("--database=" + db)
        r = subprocess.run(cmd, input=statement, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("MariaDB: %s\n-- in:\n%s" % (r.stderr.strip(), statement[:2000]))
        return r.stdout

    def query(self, statement, db=None):
        """The rows of one SELECT as dicts by column name; NULL is None, the rest text."""
        def unescape(v):
            out, i = [], 0
            while i < len(v):
                if v[i] == "\\" and i + 1 < len(v):
                    out.append({"t": "\t", "n": "\n", "0": "\0", "\\": "\\"}.get(v[i + 1],
                                                                              v[i + 1]))
                    i += 2
                else:
                    out.append(v[i])
                    i += 1
            return "".join(out)

        lines = self.sql(statement, db=db).split("\n")
        lines = [l for l in lines if l]
        if not lines:
            return []
        cols = lines[0].split("\t")
        return [dict(zip(cols, (None if v == "NULL" else unescape(v) for v in l.split("\t"))))
                for l in lines[1:]]

    def create_db(self, name, schema_dir):
        """Database `name` (utf8mb4) with every *-create.sql of schema_dir loaded (standard
        first: it makes the version table), and the user kamailio / kamailiorw with every
        right on it, from 127.0.0.1, ::1 and the socket. One client run: a fraction of a
        second, cheap enough to start each test case on a fresh database."""
        q = _quote_ident(name)
        files = sorted(f for f in os.listdir(schema_dir) if f.endswith("-create.sql"))
        files.sort(key=lambda f: f != "standard-create.sql")
        script = ["CREATE DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;" % q,
                  "USE %s;" % q]
        for f in files:
            with open(os.path.join(schema_dir, f), encoding="utf-8") as fp:
                script.append("-- %s\n%s" % (f, fp.read()))
        script.append(self._user_sql("kamailio", "kamailiorw", name, "ALL PRIVILEGES"))
        self.sql("\n".join(script))

    def add_user(self, user, password, db, rights="ALL PRIVILEGES"):
        """user/password with `rights` on db.*, from 127.0.0.1, ::1 and localhost."""
        self.sql(self._user_sql(user, password, db, rights))

    def _user_sql(self, user, password, db, rights):
        stmts = []
        for host in ("127.0.0.1", "::1", "localhost"):
            who = "%s@%s" % (_quote_str(user), _quote_str(host))
            stmts.append("CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s;"
                         % (who, _quote_str(password)))
            stmts.append("GRANT %s ON %s.* TO %s;" % (rights, _quote_ident(db), who))
        return "\n".join(stmts)

    def url(self, db, user="kamailio", password="kamailiorw"):
        return "mysql://%s:%s@127.0.0.1:%d/%s" % (user, password, self.port, db)

    # ---- internals --------------------------------------------------------------------

    def _user_args(self):
        return ["--user=root"] if os.geteuid() == 0 else []

    def _light_args(self):
        return ["--skip-name-resolve", "--innodb-buffer-pool-size=8M",
                "--innodb-log-file-size=4M", "--performance-schema=OFF"]

    def _install(self):
        cmd = [_install_db(), "--no-defaults"] + self._user_args() + [
            "--datadir=" + self.datadir, "--auth-root-authentication-method=normal",
            "--skip-test-db"] + self._light_args()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self._base)
        if r.returncode != 0:
            raise RuntimeError("MariaDB: mariadb-install-db failed (%d):\n%s%s"
                               % (r.returncode, r.stdout[-2000:], r.stderr[-2000:]))

    def _log_tail(self, offset):
        try:
            with open(self._log, errors="replace") as fp:
                fp.seek(offset)
                return fp.read()[-4000:]
        except OSError:
            return ""

    def _launch(self, fail_on_port_taken):
        """Start mariadbd on self.port and wait until it answers. False when the port was
        taken and fail_on_port_taken is set (the caller picks another)."""
        try:
            offset = os.path.getsize(self._log)
        except OSError:
            offset = 0
        try:
            os.unlink(self.socket)
        except FileNotFoundError:
            pass
        cmd = [server_binary(), "--no-defaults"] + self._user_args() + [
            "--datadir=" + self.datadir, "--bind-address=127.0.0.1", "--port=%d" % self.port,
            "--socket=" + self.socket, "--pid-file=" + os.path.join(self._base, "mysqld.pid"),
            "--log-error=" + self._log, "--tmpdir=" + self._base, "--skip-log-bin",
            "--innodb-use-native-aio=0", "--innodb-flush-log-at-trx-commit=2",
            "--innodb-doublewrite=0", "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci", "--max-connections=200",
            "--skip-host-cache", "--loose-skip-feedback"] + self._light_args()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, cwd=self._base,
                                     preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self.START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self._log_tail(offset)
                self.proc = None
                if "Address already in use" in tail and fail_on_port_taken:
                    return False
                raise RuntimeError("MariaDB: mariadbd exited at start:\n" + tail)
            if self._answers():
                return True
            time.sleep(0.05)
        tail = self._log_tail(offset)
        self.stop()
        raise RuntimeError("MariaDB: mariadbd did not answer within %gs:\n%s"
                           % (self.START_TIMEOUT, tail))

    def _answers(self):
        if not os.path.exists(self.socket):
            return False
        r = subprocess.run([_client(), "--no-defaults", "--user=root", "--socket=" + self.socket,
                            "--batch", "--skip-column-names", "-e", "SELECT 1"],
                           capture_output=True, text=True, timeout=30)
        return r.returncode == 0 and r.stdout.strip() == "1"


if __name__ == "__main__":
    # a smoke test by hand: python3 mariadb_server.py [schema_dir]
    skip_unless_available()
    with tempfile.TemporaryDirectory() as wd, MariaDB(wd) as m:
        print("port", m.port, "socket", m.socket)
        if len(sys.argv) > 1:
            m.create_db("kamailio", sys.argv[1])
            print(m.query("SELECT table_name, table_version FROM version", db="kamailio"))
            print(m.url("kamailio"))
        m.stop()
        m.start_again()
        print(m.sql("SELECT @@version, @@port"))
