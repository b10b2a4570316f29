"""What the kamctl / kamdbctl tests share: a scratch folder with the kamctlrc the tools
read (KAMCTLRC, HOME pointing into the folder so no ~/.kamctlrc of the machine counts),
running the build tree's scripts under a POSIX shell, and the checks with their report.

Usage in a test: env = Env("kamctl-sqlite-", shell, kamctl, kamdbctl); env.rc(...);
r = env.kamctl("add", "alice", "pw"); env.check(r.returncode == 0, "..."); env.finish()
"""
import atexit
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Env:
    def __init__(self, prefix, shell, kamctl, kamdbctl):
        self.work = tempfile.mkdtemp(prefix=prefix)
        # gone also when a test dies of an exception
        atexit.register(shutil.rmtree, self.work, True)
        self.home = os.path.join(self.work, "home")
        os.mkdir(self.home)
        self.rcfile = os.path.join(self.work, "kamctlrc")
        self.shell, self.kamctl_path, self.kamdbctl_path = shell, kamctl, kamdbctl
        self.failures = []
        self.extra_env = {}

    def rc(self, **settings):
        """Write the kamctlrc KAMCTLRC names: NAME='value' lines, shell-quoted."""
        with open(self.rcfile, "w") as f:
            f.write("# written by %s\n" % os.path.basename(sys.argv[0]))
            for k, v in settings.items():
                f.write("%s=%s\n" % (k, sh_quote(str(v))))

    def run(self, script, *args, env=None, stdin=None, timeout=30):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.home,
             "KAMCTLRC": self.rcfile, "LC_ALL": "C.UTF-8", "TMPDIR": self.work}
        e.update(self.extra_env)
        e.update(env or {})
        e = {k: v for k, v in e.items() if v is not None}
        r = subprocess.run([self.shell, script] + list(args), env=e, capture_output=True,
                           text=True, input=stdin if stdin is not None else "",
                           timeout=timeout)
        print("$ %s %s -> %d" % (os.path.basename(script), " ".join(repr(a) for a in args),
                                 r.returncode))
        for line in (r.stdout + r.stderr).splitlines()[:12]:
            print("    " + line)
        return r

    def kamctl(self, *args, **kw):
        return self.run(self.kamctl_path, *args, **kw)

    def kamdbctl(self, *args, **kw):
        return self.run(self.kamdbctl_path, *args, **kw)

    def check(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what, flush=True)
        if not cond:
            self.failures.append(what)
        return cond

    def finish(self, before_cleanup=None):
        if before_cleanup:
            before_cleanup()
        shutil.rmtree(self.work, ignore_errors=True)
        if self.failures:
            print("%d check(s) failed:" % len(self.failures))
            for f in self.failures:
                print("  " + f)
        sys.exit(1 if self.failures else 0)


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def subscriber_hashes(user, domain, password):
    """ha1 and ha1b as auth_db reads them, the realm being the domain."""
    return (md5("%s:%s:%s" % (user, domain, password)),
            md5("%s@%s:%s:%s" % (user, domain, domain, password)))
