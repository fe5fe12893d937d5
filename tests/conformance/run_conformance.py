#!/usr/bin/env python3
"""schemac conformance runner: the convergence test over a corpus of before/after schema pairs.

For every case <corpus>/<peer>/<case>/ whose validation.json says "loads_ok": true:

  1. create databases A and B on one PostgreSQL server, create the roles of meta.json's
     roles_required, run setup.sql (when there is one) into both, before.sql into A, after.sql into B;
  2. schemac inspect --db B -o <target>;            (inspect error)
  3. schemac check <target>;                         (compile error: the inspected files do not compile)
  4. schemac apply <target> --db A --allow-drop --yes --dev-db <the same server>;
                                                     (plan error before any statement ran, else apply error)
  5. schemac plan <target> --db A must report no changes;   (not converged)
  6. migra A B (the independent oracle, @pgkit/migra) must print no statements.  (differs per oracle)

A failing case whose inspect or plan reported objects schemac does not manage ("unmanaged: ...",
"unsupported") is counted as `unsupported object kind`, with that object as its message.

Results (deterministic, sorted by peer and case) go to --results: results.md and results.json, and a
log per failing case under logs/. The run fails (exit 1) when the pass rate is below the rate recorded
in --baseline; --update-baseline records the current one instead. Exit 77 (ctest's skip code) when
the corpus directory does not exist.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

SKIP = 77
STEP_TIMEOUT = 300  # seconds for one schemac/psql step

CATEGORIES = [
    "load error",
    "unsupported object kind",
    "inspect error",
    "compile error",
    "plan error",
    "apply error",
    "not converged",
    "differs per oracle",
    "oracle error",
]


def log(msg):
    print(msg, flush=True)


# ---- cases ------------------------------------------------------------------------------------------

def load_cases(corpus, pattern):
    cases = []
    for peer in sorted(os.listdir(corpus)):
        pdir = os.path.join(corpus, peer)
        if not os.path.isdir(pdir):
            continue
        for case in sorted(os.listdir(pdir)):
            cdir = os.path.join(pdir, case)
            vfile = os.path.join(cdir, "validation.json")
            if not os.path.isfile(vfile):
                continue
            with open(vfile, encoding="utf-8") as f:
                validation = json.load(f)
            if validation.get("loads_ok") is not True:
                continue
            cid = f"{peer}/{case}"
            if pattern and not re.search(pattern, cid):
                continue
            meta = {}
            mfile = os.path.join(cdir, "meta.json")
            if os.path.isfile(mfile):
                with open(mfile, encoding="utf-8") as f:
                    meta = json.load(f)
            cases.append({
                "id": cid,
                "peer": peer,
                "case": case,
                "dir": cdir,
                "kinds": sorted(validation.get("kinds") or []),
                "roles": meta.get("roles_required") or [],
            })
    return cases


# ---- PostgreSQL --------------------------------------------------------------------------------------

def db_url(base, dbname):
    p = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((p.scheme, p.netloc, "/" + dbname, p.query, p.fragment))


def find_psql():
    # The server's own psql, not Debian's /usr/bin/psql wrapper (a perl script: +0.2 s a call).
    for d in [os.environ.get("PGBIN", "")] + sorted(
            (os.path.join("/usr/lib/postgresql", v, "bin") for v in
             (os.listdir("/usr/lib/postgresql") if os.path.isdir("/usr/lib/postgresql") else [])),
            reverse=True):
        if d and os.access(os.path.join(d, "psql"), os.X_OK):
            return os.path.join(d, "psql")
    return shutil.which("psql")


PSQL = find_psql()


def psql(url, args, timeout=STEP_TIMEOUT):
    cmd = [PSQL, "-X", "-q", "-d", url] + args
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PGOPTIONS="-c client_min_messages=warning"))


def sql_ident(name):
    return '"' + name.replace('"', '""') + '"'


def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def exec_sql(base, *sqls):
    """Runs statements in the postgres database, each in its own transaction, in one psql."""
    args = ["-v", "ON_ERROR_STOP=1"]
    for sql in sqls:
        args += ["-c", sql]
    r = psql(db_url(base, "postgres"), args)
    if r.returncode != 0:
        raise RuntimeError(f"{'; '.join(sqls)}: {r.stderr.strip()}")


def ensure_role(base, role):
    exec_sql(base, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
             f"{sql_literal(role)}) THEN CREATE ROLE {sql_ident(role)}; END IF; "
             "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")


# Roles are cluster-wide: a case's SQL that creates a role another case (or setup) created already is
# not an error of the case.
TOLERATED_LOAD_ERROR = re.compile(r'ERROR:\s+role ".*" already exists')


def load_sql(url, path):
    """Runs a SQL file into a database; returns None or the first error that is not tolerated."""
    r = psql(url, ["-v", "ON_ERROR_STOP=0", "-f", path])
    errors = [line for line in r.stderr.splitlines() if "ERROR:" in line or "FATAL:" in line]
    bad = [e for e in errors if not TOLERATED_LOAD_ERROR.search(e)]
    if bad:
        return f"{os.path.basename(path)}: {bad[0]}"
    if r.returncode not in (0, 3) and not errors:
        return f"{os.path.basename(path)}: psql exit {r.returncode}: {r.stderr.strip()[:300]}"
    return None


class Server:
    """One throwaway PostgreSQL server for the whole run (scripts/pgtest.sh), or one given by URL."""

    def __init__(self, repo, uri):
        self.repo = repo
        self.uri = uri
        self.envfile = None
        if not uri:
            fd, self.envfile = tempfile.mkstemp(prefix="conformance-pg.", suffix=".env")
            os.close(fd)
            os.unlink(self.envfile)
            r = subprocess.run([os.path.join(repo, "scripts", "pgtest.sh"), "start", self.envfile],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("could not start PostgreSQL: " + r.stderr)
            m = re.search(r"PGTEST_URI=(\S+)", r.stdout)
            self.uri = m.group(1)

    def stop(self):
        if self.envfile:
            subprocess.run([os.path.join(self.repo, "scripts", "pgtest.sh"), "stop", self.envfile],
                           capture_output=True, text=True)


# ---- the oracle --------------------------------------------------------------------------------------

class Migra:
    """One long-running node process (migra_server.js) per worker thread."""

    def __init__(self, node_modules):
        self.node_modules = node_modules
        self.local = threading.local()
        self.procs = []
        self.lock = threading.Lock()

    def _proc(self):
        p = getattr(self.local, "proc", None)
        if p is None or p.poll() is not None:
            script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "migra_server.js")
            p = subprocess.Popen(["node", script, self.node_modules], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
            self.local.proc = p
            with self.lock:
                self.procs.append(p)
        return p

    def diff(self, a, b):
        p = self._proc()
        p.stdin.write(json.dumps({"id": 0, "from": a, "to": b}) + "\n")
        p.stdin.flush()
        line = p.stdout.readline()
        if not line:
            self.local.proc = None
            return None, "the migra process ended unexpectedly"
        answer = json.loads(line)
        if "error" in answer:
            return None, answer["error"]
        return answer["sql"], None

    def close(self):
        for p in self.procs:
            try:
                p.stdin.close()
                p.wait(timeout=30)
            except Exception:  # noqa: BLE001 - best effort at shutdown
                p.kill()


def migra_statements(sql):
    """migra's output as a list of statements, without blank lines."""
    out = []
    for chunk in re.split(r";\s*\n", sql or ""):
        chunk = chunk.strip()
        if chunk:
            out.append(chunk)
    return out


# ---- one case ----------------------------------------------------------------------------------------

def first_line(text, pattern=None):
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    if pattern:
        return next((l for l in lines if re.search(pattern, l)), "")
    return lines[0] if lines else ""


def error_line(text):
    """The most telling line of schemac's output: the first error, else the first line."""
    return first_line(text, r"(?i)\berror\b") or first_line(text)


UNSUPPORTED = re.compile(r"(?i)\b(unmanaged|unsupported)\b")


class Runner:
    def __init__(self, args, server, migra, work):
        self.args = args
        self.server = server
        self.migra = migra
        self.work = work
        self.env = dict(os.environ, NO_COLOR="1", SCHEMAC_CACHE_DIR=os.path.join(work, "cache"))
        notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle_notes.json")
        with open(notes, encoding="utf-8") as f:
            self.oracle_notes = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
        self.times = {}  # seconds spent per step, over all cases (timing.txt)
        self.times_lock = threading.Lock()

    def timed(self, step, t0):
        with self.times_lock:
            self.times[step] = self.times.get(step, 0.0) + time.monotonic() - t0

    def schemac(self, argv, log_parts, title):
        cmd = [self.args.schemac] + argv
        t0 = time.monotonic()
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=STEP_TIMEOUT, env=self.env)
            rc, out, err = r.returncode, r.stdout, r.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = -1, e.stdout or "", (e.stderr or "") + f"\ntimeout after {STEP_TIMEOUT} s"
            if isinstance(out, bytes):
                out = out.decode("utf-8", "replace")
            if isinstance(err, bytes):
                err = err.decode("utf-8", "replace")
        self.timed(title, t0)
        log_parts.append(f"$ schemac {' '.join(argv)}\n[exit {rc}]\n--- stdout\n{out}\n--- stderr\n{err}\n")
        return rc, out, err

    def run(self, index, case):
        base = self.server.uri
        a_name, b_name = f"conformance_{index}_a", f"conformance_{index}_b"
        a_url, b_url = db_url(base, a_name), db_url(base, b_name)
        target = os.path.join(self.work, "targets", f"{index}")
        log_parts = [f"case {case['id']}\nA = {a_url}\nB = {b_url}\ntarget = {target}\n"]
        result = {"id": case["id"], "peer": case["peer"], "case": case["case"], "kinds": case["kinds"]}
        unmanaged = []

        def fail(category, message):
            if unmanaged and category not in ("load error", "oracle error"):
                category, message = "unsupported object kind", unmanaged[0]
            result.update(status="fail", category=category, message=message[:300])
            return result

        try:
            t0 = time.monotonic()
            exec_sql(base, *[s for db in (a_name, b_name) for s in (
                f"DROP DATABASE IF EXISTS {db} WITH (FORCE)",
                f"CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8'")])
            setup = os.path.join(case["dir"], "setup.sql")
            for url, files in ((a_url, ["setup.sql", "before.sql"]), (b_url, ["setup.sql", "after.sql"])):
                for name in files:
                    path = os.path.join(case["dir"], name)
                    if name == "setup.sql" and not os.path.isfile(setup):
                        continue
                    err = load_sql(url, path)
                    if err:
                        log_parts.append(f"load: {err}\n")
                        return fail("load error", err)
            self.timed("load", t0)

            shutil.rmtree(target, ignore_errors=True)
            rc, out, err = self.schemac(["inspect", "--db", b_url, "-o", target], log_parts, "inspect")
            unmanaged += [l.strip() for l in err.splitlines() if UNSUPPORTED.search(l)]
            if rc != 0:
                return fail("inspect error", error_line(err + out))

            rc, out, err = self.schemac(["check", target], log_parts, "check")
            if rc != 0:
                return fail("compile error", error_line(err + out))

            dev = ["--dev-db", db_url(base, "postgres")]
            rc, out, err = self.schemac(["apply", target, "--db", a_url, "--allow-drop", "--yes"] + dev,
                                        log_parts, "apply")
            for l in (out + err).splitlines():
                if UNSUPPORTED.search(l) and l.strip() not in unmanaged:
                    unmanaged.append(l.strip())
            if rc != 0:
                # apply prints the plan before it runs a statement: no plan printed means planning failed.
                planned = re.search(r"(?m)^(Plan:|No changes)", out) is not None
                differs = first_line(err, r"after apply the database still differs")
                if differs:  # every statement ran; apply's own verification found differences left
                    return fail("not converged", differs)
                return fail("apply error" if planned else "plan error", error_line(err + out))

            rc, out, err = self.schemac(["plan", target, "--db", a_url] + dev, log_parts, "plan")
            if rc == 2:
                step = first_line(out, r"^\s*[-+~>!] ") or first_line(out)
                return fail("not converged", step)
            if rc != 0:
                return fail("plan error", error_line(err + out))

            t0 = time.monotonic()
            sql, merr = self.migra.diff(a_url, b_url)
            self.timed("migra", t0)
            if merr is not None:
                log_parts.append(f"migra error:\n{merr}\n")
                return fail("oracle error", first_line(merr))
            stmts = migra_statements(sql)
            log_parts.append("$ migra A B\n" + (sql or "") + "\n")
            if stmts:
                fail("differs per oracle", " ".join(stmts[0].split()))
                if case["id"] in self.oracle_notes:  # still a failure, with why migra is disputed
                    result["oracle_note"] = self.oracle_notes[case["id"]]
                return result
            # A pass needs both checks; an object schemac left alone must then be the same on both sides.
            result.update(status="pass")
            if unmanaged:
                result["note"] = unmanaged[0][:300]
            return result
        except Exception as e:  # noqa: BLE001 - a harness failure is reported as the case's failure
            log_parts.append(f"harness: {e}\n")
            return fail("load error", f"harness: {e}")
        finally:
            if result.get("status") != "pass":
                logdir = os.path.join(self.args.results, "logs")
                os.makedirs(logdir, exist_ok=True)
                with open(os.path.join(logdir, case["id"].replace("/", "__") + ".log"), "w",
                          encoding="utf-8") as f:
                    f.write("\n".join(log_parts))
            if not self.args.keep:
                try:
                    exec_sql(base, *[f"DROP DATABASE IF EXISTS {db} WITH (FORCE)" for db in (a_name, b_name)])
                except Exception:  # noqa: BLE001
                    pass
                shutil.rmtree(target, ignore_errors=True)


# ---- reports -----------------------------------------------------------------------------------------

def rate(passed, total):
    return round(100.0 * passed / total, 2) if total else 0.0


def summarize(results):
    def group(key_fn):
        out = {}
        for r in results:
            for k in key_fn(r):
                g = out.setdefault(k, {"cases": 0, "passed": 0})
                g["cases"] += 1
                g["passed"] += r["status"] == "pass"
        for g in out.values():
            g["pass_rate"] = rate(g["passed"], g["cases"])
        return dict(sorted(out.items()))

    passed = sum(r["status"] == "pass" for r in results)
    categories = {}
    for r in results:
        if r["status"] != "pass":
            categories[r["category"]] = categories.get(r["category"], 0) + 1
    return {
        "cases": len(results),
        "passed": passed,
        "pass_rate": rate(passed, len(results)),
        "by_peer": group(lambda r: [r["peer"]]),
        "by_kind": group(lambda r: r["kinds"] or ["(none)"]),
        "failures_by_category": {c: categories[c] for c in CATEGORIES if c in categories},
    }


def md_escape(s):
    return (s or "").replace("|", "\\|").replace("\n", " ")


def write_reports(results_dir, corpus_label, subset, summary, results):
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"corpus": corpus_label, "subset": subset, "summary": summary, "cases": results}, f,
                  indent=2, sort_keys=False)
        f.write("\n")
    lines = [f"# schemac conformance: {corpus_label}", ""]
    if subset:
        lines += [f"**Subset:** only the cases matching `{subset}` were run.", ""]
    lines += [f"Passed **{summary['passed']} of {summary['cases']}** cases ({summary['pass_rate']}%).", ""]
    lines += ["## By corpus", "", "| corpus | cases | passed | pass rate |", "|---|---:|---:|---:|"]
    for k, g in summary["by_peer"].items():
        lines.append(f"| {k} | {g['cases']} | {g['passed']} | {g['pass_rate']}% |")
    lines += ["", "## By object kind", "", "| kind | cases | passed | pass rate |", "|---|---:|---:|---:|"]
    for k, g in summary["by_kind"].items():
        lines.append(f"| {k} | {g['cases']} | {g['passed']} | {g['pass_rate']}% |")
    lines += ["", "## Failures by category", "", "| category | cases |", "|---|---:|"]
    for k, n in summary["failures_by_category"].items():
        lines.append(f"| {k} | {n} |")
    lines += ["", "## Cases", "", "| case | result | category | first line |", "|---|---|---|---|"]
    for r in results:
        if r["status"] == "pass":
            lines.append(f"| {r['id']} | pass | | {md_escape(r.get('note', ''))} |")
        else:
            note = f" (disputed: {r['oracle_note']})" if r.get("oracle_note") else ""
            lines.append(f"| {r['id']} | fail | {r['category']} | {md_escape(r['message'] + note)} |")
    with open(os.path.join(results_dir, "results.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ---- main --------------------------------------------------------------------------------------------

def ensure_migra(node_modules, install):
    if os.path.isdir(os.path.join(node_modules, "@pgkit", "migra")):
        return
    if not install:
        raise SystemExit(f"conformance: @pgkit/migra not found in {node_modules} "
                         "(pass --install-migra, or npm install @pgkit/migra@0.6.1 there)")
    prefix = os.path.dirname(os.path.abspath(node_modules))
    log(f"conformance: installing @pgkit/migra@0.6.1 into {prefix}")
    r = subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund",
                        "@pgkit/migra@0.6.1"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("conformance: npm install @pgkit/migra@0.6.1 failed:\n" + r.stderr)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="corpus directory: <peer>/<case>/{before,after}.sql ...")
    ap.add_argument("--schemac", required=True, help="the schemac binary")
    ap.add_argument("--node-modules", required=True, help="node_modules directory holding @pgkit/migra")
    ap.add_argument("--install-migra", action="store_true", help="npm install @pgkit/migra@0.6.1 when missing")
    ap.add_argument("--results", required=True, help="directory for results.md, results.json and logs/")
    ap.add_argument("--jobs", type=int, default=2, help="cases run in parallel (default 2)")
    ap.add_argument("--pg-uri", help="server to use (default: a throwaway one from scripts/pgtest.sh)")
    ap.add_argument("--filter", help="only cases whose <peer>/<case> matches this regular expression")
    ap.add_argument("--baseline", help="baseline.json: fail when the pass rate is below its pass_rate")
    ap.add_argument("--update-baseline", action="store_true", help="write the current rate to --baseline")
    ap.add_argument("--keep", action="store_true", help="keep the databases and inspected files")
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        log(f"conformance: SKIPPED: no corpus at {args.corpus} (it lives outside the repository, "
            "in ../shared/corpus; see README.md)")
        return SKIP
    corpus = os.path.realpath(args.corpus)
    cases = load_cases(corpus, args.filter)
    if not cases:
        log(f"conformance: no cases with loads_ok in {corpus}")
        return 1
    ensure_migra(args.node_modules, args.install_migra)
    if PSQL is None:
        raise SystemExit("conformance: psql not found")

    shutil.rmtree(os.path.join(args.results, "logs"), ignore_errors=True)
    os.makedirs(args.results, exist_ok=True)
    work = tempfile.mkdtemp(prefix="schemac-conformance.")
    start = time.monotonic()
    server = Server(repo, args.pg_uri)
    migra = Migra(os.path.abspath(args.node_modules))
    runner = Runner(args, server, migra, work)
    log(f"conformance: {len(cases)} cases from {corpus}, {args.jobs} workers, server {server.uri}"
        + (f", only cases matching '{args.filter}'" if args.filter else ""))
    results = [None] * len(cases)
    try:
        # Roles are cluster-wide: create every case's roles_required once, before any case runs.
        for role in sorted({r for c in cases for r in c["roles"]}):
            ensure_role(server.uri, role)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(runner.run, i, c): i for i, c in enumerate(cases)}
            done = 0
            for fut in concurrent.futures.as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                done += 1
                r = results[i]
                tag = "pass" if r["status"] == "pass" else f"FAIL [{r['category']}] {r['message'][:120]}"
                log(f"[{done}/{len(cases)}] {r['id']}: {tag}")
    finally:
        migra.close()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    wall = time.monotonic() - start

    summary = summarize(results)
    label = os.path.basename(corpus)
    write_reports(args.results, label, args.filter or "", summary, results)
    with open(os.path.join(args.results, "timing.txt"), "w", encoding="utf-8") as f:
        f.write(f"{len(cases)} cases, {args.jobs} workers: {wall:.0f} s wall\n")
        for step, secs in sorted(runner.times.items(), key=lambda kv: -kv[1]):
            f.write(f"  {step:8} {secs:7.0f} s (summed over the workers)\n")

    log("")
    for peer, g in summary["by_peer"].items():
        log(f"  {peer:16} {g['passed']:4}/{g['cases']:<4} {g['pass_rate']:6.2f}%")
    for cat, n in summary["failures_by_category"].items():
        log(f"  {cat:24} {n:4}")
    log(f"conformance: passed {summary['passed']} of {summary['cases']} ({summary['pass_rate']}%) "
        f"in {wall:.0f} s; results in {os.path.abspath(args.results)}/results.md")

    if args.baseline:
        if args.update_baseline:
            if args.filter:
                log("conformance: not updating the baseline from a filtered run")
                return 1
            with open(args.baseline, "w", encoding="utf-8") as f:
                json.dump({
                    "comment": "Recorded by tests/conformance/run_conformance.py --update-baseline; "
                               "the conformance tier fails when the pass rate drops below pass_rate.",
                    "corpus": label,
                    "cases": summary["cases"],
                    "passed": summary["passed"],
                    "pass_rate": summary["pass_rate"],
                    "passing": sorted(r["id"] for r in results if r["status"] == "pass"),
                }, f, indent=2)
                f.write("\n")
            log(f"conformance: baseline written to {args.baseline}")
            return 0
        with open(args.baseline, encoding="utf-8") as f:
            baseline = json.load(f)
        passing_now = {r["id"] for r in results if r["status"] == "pass"}
        regressed = [c for c in baseline.get("passing", [])
                     if c not in passing_now and any(r["id"] == c for r in results)]
        for c in regressed:
            log(f"conformance: regression: {c} passed at the baseline and fails now")
        if args.filter:
            log("conformance: filtered run, the baseline rate is not compared")
            return 1 if regressed else 0
        if summary["pass_rate"] + 1e-9 < baseline["pass_rate"]:
            log(f"conformance: FAILED: pass rate {summary['pass_rate']}% is below the recorded "
                f"{baseline['pass_rate']}% ({args.baseline})")
            return 1
        log(f"conformance: pass rate {summary['pass_rate']}% >= recorded {baseline['pass_rate']}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
