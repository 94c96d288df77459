#!/usr/bin/env python3
"""BackyDB benchmark: BackyDB against mariadb-dump/mariadb and mydumper/myloader, side by side.

Run it through bench/run.sh (which installs the tools first). Standard library only.

What it does, in order:
  1. builds the dataset in MariaDB database `bench_src` (deterministic, from the SEQUENCE engine),
     unless a dataset of the same scale and generator version is already there;
  2. takes CHECKSUM TABLE of every source table;
  3. for each tool: backup (timed), restore into a fresh database (timed), CHECKSUM TABLE of every
     restored table compared with the source, drop the restored database;
  4. prints one Markdown table (and writes it with the run's context to bench/out/results.md).

Wall time and peak RSS come from `/usr/bin/time -f '%e %M'`. For a pipeline the wall time is the
whole pipeline's and the peak RSS is the sum of its processes' peaks (they run at the same time).
Peak RSS is the client side only: the MariaDB server's memory is shared by all tools and not counted.
"""

import argparse
import datetime
import json
import re
import statistics
import os
import shlex
import shutil
import subprocess
import sys
import time

# the server counts as settled (see Db.settle) below these: 1 MiB of dirty pages, and an undo
# history that purge clears in well under a second
SETTLED_DIRTY_PAGES = 64
SETTLED_HISTORY = 1000

GENERATOR_VERSION = 1  # of the generated content (rows and schema), not of the code
SRC_DB = os.environ.get("BENCH_SRC_DB", "bench_src")
FULL_SIZE_NOTE = "scale 1 is issue 8's dataset: ~0.8 GB in InnoDB, ~0.56 GB as SQL"
MODES = ["full", "zstd", "raw"]  # most complete first
MB = 1_000_000
MYDUMPER_COMPRESSED = "mydumper -t 2 -c"


def information_row(tool):
    """Rows shown beside the targets but not compared with them: BackyDB's warm JVM, mydumper's
    compressed backup."""
    return tool == MYDUMPER_COMPRESSED or tool.endswith("warm JVM")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ---------------------------------------------------------------------------------------------
# small helpers


def log(msg):
    print(f"[bench {datetime.datetime.now().strftime('%H:%M:%S')}] {msg}", flush=True)


def loud(msg):
    bar = "!" * 78
    print(f"\n{bar}\n!!! {msg}\n{bar}\n", flush=True)


class Db:
    """The MariaDB server, driven through the `mariadb` command-line client."""

    def __init__(self, host, port, user, password):
        self.host, self.port, self.user, self.password = host, port, user, password

    def env(self):
        e = dict(os.environ)
        e["MYSQL_PWD"] = self.password  # keeps the password off the command line
        return e

    def client_args(self, exe="mariadb"):
        return [
            exe,
            f"-h{self.host}",
            f"-P{self.port}",
            f"-u{self.user}",
            "--default-character-set=utf8mb4",
        ]

    def sql(self, statement, db=None):
        """Runs SQL and returns the rows as lists of strings."""
        args = self.client_args() + ["--batch", "--skip-column-names", "--raw"]
        if db:
            args.append(db)
        p = subprocess.run(
            args, input=statement, capture_output=True, text=True, env=self.env(), check=False
        )
        if p.returncode != 0:
            raise RuntimeError(f"SQL failed: {p.stderr.strip()}\n  statement: {statement[:300]}")
        return [line.split("\t") for line in p.stdout.splitlines()]

    def tables(self, db):
        return sorted(
            r[0]
            for r in self.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema="
                f"'{db}' AND table_type='BASE TABLE'"
            )
        )

    def checksums(self, db):
        names = self.tables(db)
        result = {}
        for i in range(0, len(names), 100):
            chunk = ", ".join(f"`{db}`.`{t}`" for t in names[i : i + 100])
            for full, value in self.sql(f"CHECKSUM TABLE {chunk}"):
                result[full.split(".", 1)[1]] = value
        return result

    def drop(self, db):
        self.sql(f"DROP DATABASE IF EXISTS `{db}`")

    def settle(self, timeout=120.0):
        """Waits until InnoDB has written back the pages earlier steps dirtied and purged their
        undo logs, so that no timed step pays for the background work of the one before it (an
        idle InnoDB flushes at innodb_io_capacity and took minutes to clean up after a restore).
        It flushes at full speed meanwhile (innodb_max_dirty_pages_pct 0, then set back); where
        the user may not set that, it only waits. Returns the seconds waited."""
        start = time.monotonic()
        old = None
        try:
            old = self.sql("SELECT @@GLOBAL.innodb_max_dirty_pages_pct")[0][0]
            self.sql("SET GLOBAL innodb_max_dirty_pages_pct = 0")
        except RuntimeError:
            old = None
        try:
            while time.monotonic() - start < timeout:
                rows = self.sql(
                    "SELECT (SELECT variable_value FROM information_schema.global_status"
                    " WHERE variable_name = 'INNODB_BUFFER_POOL_PAGES_DIRTY'),"
                    " (SELECT count FROM information_schema.innodb_metrics"
                    " WHERE name = 'trx_rseg_history_len')"
                )
                dirty, history = (int(v) if v not in ("NULL", "") else 0 for v in rows[0])
                if dirty < SETTLED_DIRTY_PAGES and history < SETTLED_HISTORY:
                    break
                time.sleep(0.25)
            else:
                log(f"  the server did not settle in {timeout:.0f} s; timing anyway")
        finally:
            if old is not None:
                self.sql(f"SET GLOBAL innodb_max_dirty_pages_pct = {old}")
        return time.monotonic() - start


def read_time_file(path):
    """The last line of a /usr/bin/time -o file (earlier lines may say 'Command exited ...')."""
    with open(path) as f:
        lines = [line.strip() for line in f if line.strip()]
    return lines[-1].split() if lines else []


def run_timed(shell_cmd, env, cwd, log_path, pipeline_rss_files=()):
    """Runs a shell command under /usr/bin/time; returns (rc, wall_s, peak_rss_mb, stdout)."""
    tfile = log_path + ".time"
    full = f"/usr/bin/time -f '%e %M' -o {shlex.quote(tfile)} {shell_cmd}"
    with open(log_path + ".out", "w") as out, open(log_path + ".err", "w") as err:
        p = subprocess.run(
            ["bash", "-c", full], env=env, cwd=cwd, stdout=out, stderr=err, check=False
        )
    fields = read_time_file(tfile)
    wall = float(fields[0]) if fields else float("nan")
    rss_kb = int(fields[1]) if len(fields) > 1 else 0
    if pipeline_rss_files:
        rss_kb = sum(int(read_time_file(f)[-1]) for f in pipeline_rss_files if os.path.exists(f))
    with open(log_path + ".out") as f:
        stdout = f.read()
    return p.returncode, wall, rss_kb / 1024.0, stdout


def tail(path, n=5):
    try:
        with open(path) as f:
            return "".join(f.readlines()[-n:]).strip()
    except OSError:
        return ""


def du_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(dirpath, name))
    return total


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, mode=0o700)
    return path


# ---------------------------------------------------------------------------------------------
# the dataset


def shape_counts(scale):
    """Rows per shape; scale 1 is the issue's ~700 MB dataset."""
    return {
        "narrow": max(1000, round(3_000_000 * scale)),  # 3M-row narrow table, 3 secondary indexes
        "docs": max(200, round(150_000 * scale)),  # JSON + text
        "blobs": max(50, round(40_000 * scale)),  # 4 KB BLOBs, ~160 MB at scale 1
        "nopk": max(500, round(400_000 * scale)),  # no primary key, duplicate rows
        "small_tables": max(3, round(300 * scale)),  # a few hundred small tables
        "small_rows": 50,
    }


def blob_expr():
    # 4096 deterministic bytes: 64 x 64-byte SHA-512 digests. Even rows are incompressible like
    # images; odd rows are text-like and compress well; some are NULL and some empty.
    rnd = "CONCAT(" + ", ".join(f"UNHEX(SHA2(CONCAT(seq, ':{i}'), 512))" for i in range(64)) + ")"
    txt = "RPAD(CONCAT('blob ', seq, ' '), 4096, CONCAT('payload-', seq % 97, ' '))"
    return (
        f"CASE WHEN seq % 97 = 0 THEN NULL WHEN seq % 89 = 0 THEN '' "
        f"WHEN seq % 2 = 0 THEN {rnd} ELSE {txt} END"
    )


def generate(db, scale):
    c = shape_counts(scale)
    log(f"generating {SRC_DB} at scale {scale}: {json.dumps(c)}")
    db.drop(SRC_DB)
    comment = f"backydb-bench v{GENERATOR_VERSION} scale={scale}"
    db.sql(f"CREATE DATABASE `{SRC_DB}` CHARACTER SET utf8mb4 COMMENT '{comment}-incomplete'")

    def chunked(table, n, select, step=250_000):
        for lo in range(1, n + 1, step):
            hi = min(n, lo + step - 1)
            db.sql(f"INSERT INTO {table} SELECT {select} FROM seq_{lo}_to_{hi}", SRC_DB)

    db.sql(
        """CREATE TABLE narrow (
             id INT UNSIGNED NOT NULL PRIMARY KEY,
             account_id INT UNSIGNED NOT NULL,
             amount DECIMAL(12,2) NOT NULL,
             status TINYINT NOT NULL,
             code CHAR(8) NOT NULL,
             created DATETIME NOT NULL,
             note VARCHAR(40) NULL
           ) ENGINE=InnoDB""",
        SRC_DB,
    )
    chunked(
        "narrow",
        c["narrow"],
        "seq, (seq * 7919) % 100003, ((seq * 37) % 10000000) / 100, seq % 5,"
        " LPAD(HEX(CRC32(seq)), 8, '0'),"
        " '2020-01-01' + INTERVAL ((seq * 13) % 157680000) SECOND,"
        " IF(seq % 3 = 0, NULL, CONCAT('note ', LEFT(MD5(seq), 20 + seq % 12)))",
    )
    # secondary indexes after the load: a sorted index build is much faster than maintaining
    # three indexes row by row once they outgrow the buffer pool
    db.sql(
        "ALTER TABLE narrow ADD KEY k_account (account_id), ADD KEY k_created (created),"
        " ADD KEY k_code_status (code, status)",
        SRC_DB,
    )
    log("  narrow done")

    db.sql(
        """CREATE TABLE docs (
             id INT UNSIGNED NOT NULL PRIMARY KEY,
             doc JSON NOT NULL,
             body TEXT NOT NULL
           ) ENGINE=InnoDB""",
        SRC_DB,
    )
    chunked(
        "docs",
        c["docs"],
        "seq,"
        " JSON_OBJECT('id', seq, 'user', CONCAT('user', seq % 5000),"
        "   'tags', JSON_ARRAY(CONCAT('t', seq % 17), CONCAT('t', seq % 23)),"
        "   'score', (seq % 1000) / 10, 'active', seq % 2 = 0,"
        "   'address', JSON_OBJECT('city', ELT(1 + seq % 5, 'Berlin', 'Lyon', 'Porto', 'Oslo',"
        "     'Riga'), 'zip', LPAD(seq % 99999, 5, '0')),"
        "   'note', CONCAT('quote '' \"dq\" back\\\\slash tab\\t nl\\n ', seq)),"
        " CONCAT_WS(' ', 'Naïve café — ünïcödé ✓ 😀', MD5(seq), SHA2(seq, 256),"
        "   'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor',"
        "   'incididunt ut labore et dolore magna aliqua.\\nUt enim ad minim veniam,',"
        "   REPEAT(CONCAT('word', seq % 31, ' '), 10 + seq % 20), SHA2(CONCAT(seq, 'x'), 512))",
        step=100_000,
    )
    log("  docs done")

    db.sql(
        """CREATE TABLE blobs (
             id INT UNSIGNED NOT NULL PRIMARY KEY,
             name VARCHAR(64) NOT NULL,
             data MEDIUMBLOB NULL
           ) ENGINE=InnoDB""",
        SRC_DB,
    )
    chunked("blobs", c["blobs"], f"seq, CONCAT('file-', seq, '.bin'), {blob_expr()}", 10_000)
    log("  blobs done")

    db.sql(
        """CREATE TABLE nopk (
             k INT NOT NULL,
             label VARCHAR(32) NULL,
             val DOUBLE NOT NULL,
             ts TIMESTAMP NULL DEFAULT NULL
           ) ENGINE=InnoDB""",
        SRC_DB,
    )
    # seq DIV 2: every row appears twice, which a restore must keep
    chunked(
        "nopk",
        c["nopk"],
        "seq DIV 2, IF(seq % 7 = 0, NULL, CONCAT('label-', (seq DIV 2) % 1000)),"
        " (seq DIV 2) / 7, IF(seq % 5 = 0, NULL,"
        " FROM_UNIXTIME(1600000000 + (seq DIV 2) * 17))",
    )
    log("  nopk done")

    script = []
    for i in range(c["small_tables"]):
        t = f"small_{i:03d}"
        script.append(
            f"CREATE TABLE {t} (id INT NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL,"
            f" v INT NULL, KEY k_v (v)) ENGINE=InnoDB;"
        )
        script.append(
            f"INSERT INTO {t} SELECT seq, CONCAT('{t}-', seq), IF(seq % 9 = 0, NULL, seq * {i + 1})"
            f" FROM seq_1_to_{c['small_rows']};"
        )
    db.sql("\n".join(script), SRC_DB)
    log("  small tables done")
    db.sql("ANALYZE TABLE narrow, docs, blobs, nopk", SRC_DB)
    db.sql(f"ALTER DATABASE `{SRC_DB}` COMMENT '{comment}'")


def ensure_dataset(db, scale, regenerate):
    want = f"backydb-bench v{GENERATOR_VERSION} scale={scale}"
    rows = db.sql(
        f"SELECT schema_comment FROM information_schema.schemata WHERE schema_name='{SRC_DB}'"
    )
    if rows and rows[0][0] == want and not regenerate:
        log(f"reusing {SRC_DB} ({want}); --regenerate builds it again")
        return False
    t0 = time.monotonic()
    generate(db, scale)
    log(f"dataset generated in {time.monotonic() - t0:.1f} s")
    return True


def dataset_bytes(db):
    rows = db.sql(
        "SELECT COUNT(*), COALESCE(SUM(data_length + index_length), 0), COALESCE(SUM(table_rows),0)"
        f" FROM information_schema.tables WHERE table_schema='{SRC_DB}'"
    )
    return int(rows[0][0]), int(rows[0][1]), int(rows[0][2])


# ---------------------------------------------------------------------------------------------
# the tools


class Result:
    def __init__(self, tool, op, rc, wall, rss, size=None, note=""):
        self.tool, self.op, self.rc, self.wall, self.rss = tool, op, rc, wall, rss
        self.size, self.note = size, note
        self.checksum = None  # None: not checked (backup rows), True/False after a restore
        self.walls = [wall]  # every timed run; wall is their median
        self.rerun = None  # for a backup: runs it again, returns (rc, wall)

    def add_run(self, wall):
        self.walls.append(wall)
        self.wall = statistics.median(self.walls)


class Bench:
    def __init__(self, args, db):
        self.args, self.db = args, db
        self.out = os.path.abspath(args.out)
        self.results = []
        self.failures = []
        self.source_sums = {}
        self.backy_mode = None
        self.backy_notes = []

    # --- checks

    def check_restore(self, result, dst):
        if self.args.selftest_corrupt:  # proves that the check catches a one-row difference
            self.db.sql("UPDATE nopk SET val = val + 1 LIMIT 1", dst)
        try:
            got = self.db.checksums(dst)
        except RuntimeError as e:
            got, result.note = {}, f"checksum failed: {e}"
        ok = got == self.source_sums
        if not ok:
            missing = sorted(set(self.source_sums) - set(got))
            extra = sorted(set(got) - set(self.source_sums))
            differ = sorted(
                t for t in self.source_sums if t in got and got[t] != self.source_sums[t]
            )
            detail = f"missing {missing[:5]} extra {extra[:5]} differ {differ[:5]}"
            loud(f"FAILED: {result.tool} restore into {dst} differs from {SRC_DB}: {detail}")
            self.failures.append(f"{result.tool}: restore differs ({detail})")
            result.note = (result.note + " " + detail).strip()
        else:
            log(f"  {dst}: CHECKSUM TABLE of all {len(got)} tables matches the source")
        result.checksum = ok
        if not self.args.keep_restored:
            self.db.drop(dst)
        if not ok and self.args.check:
            self.finish()

    def tool_failed(self, tool, op, logbase):
        msg = tail(logbase + ".err") or tail(logbase + ".out")
        loud(f"FAILED: {tool} {op} exited non-zero; see {logbase}.err\n{msg}")
        self.failures.append(f"{tool} {op} failed: {msg.splitlines()[-1] if msg else '?'}")
        if self.args.check:
            self.finish()

    def add(self, r):
        self.results.append(r)
        log(f"  {r.tool} {r.op}: {r.wall:.2f} s, peak RSS {r.rss:.0f} MB, exit {r.rc}")
        return r

    # --- mariadb-dump | zstd -3, then mariadb < dump.sql

    def timed(self, shell_cmd, env, cwd, log_path, pipeline_rss_files=()):
        """run_timed, once the server has settled from the steps before."""
        waited = self.db.settle()
        if waited >= 1:
            log(f"  (waited {waited:.1f} s for the server to write back earlier steps' pages)")
        return run_timed(shell_cmd, env, cwd, log_path, pipeline_rss_files)

    def run_mariadb_dump(self):
        d = fresh_dir(os.path.join(self.out, "mariadb-dump"))
        lg = os.path.join(d, "log")
        dump = os.path.join(d, "dump.sql.zst")
        t1, t2 = os.path.join(d, "dump.rss"), os.path.join(d, "zstd.rss")
        client = " ".join(shlex.quote(a) for a in self.db.client_args("mariadb-dump"))
        pipeline = (
            f"/usr/bin/time -f %M -o {t1} {client} --single-transaction --quick {SRC_DB}"
            f" | /usr/bin/time -f %M -o {t2} zstd -3 -q -o {shlex.quote(dump)}"
        )
        log("mariadb-dump --single-transaction --quick | zstd -3")
        rc, wall, rss, _ = self.timed(
            f"bash -c {shlex.quote('set -o pipefail; ' + pipeline)}",
            self.db.env(),
            d,
            lg + "-backup",
            (t1, t2),
        )
        size = du_bytes(dump) if rc == 0 else None
        r = self.add(Result("mariadb-dump \\| zstd -3", "backup", rc, wall, rss, size))
        if rc != 0:
            return self.tool_failed(r.tool, "backup", lg + "-backup")

        def rerun():
            os.remove(dump)
            cmd = f"bash -c {shlex.quote('set -o pipefail; ' + pipeline)}"
            return self.timed(cmd, self.db.env(), d, lg + "-backup-again", (t1, t2))[:2]

        r.rerun = rerun
        sql = os.path.join(d, "dump.sql")
        subprocess.run(["zstd", "-d", "-q", "-f", dump, "-o", sql], check=True)  # not timed
        dst = "bench_dst_sql"
        self.db.drop(dst)
        self.db.sql(f"CREATE DATABASE `{dst}` CHARACTER SET utf8mb4")
        client = " ".join(shlex.quote(a) for a in self.db.client_args("mariadb"))
        log("mariadb < dump.sql")
        rc, wall, rss, _ = self.timed(
            f"{client} {dst} < {shlex.quote(sql)}", self.db.env(), d, lg + "-restore"
        )
        r = self.add(Result("mariadb < dump.sql", "restore", rc, wall, rss))
        if rc != 0:
            return self.tool_failed(r.tool, "restore", lg + "-restore")
        self.check_restore(r, dst)
        if not self.args.keep_files:
            os.remove(sql)

    # --- mydumper -t 2, then myloader -t 2

    def run_mydumper(self):
        d = fresh_dir(os.path.join(self.out, "mydumper"))
        lg = os.path.join(d, "log")
        files = os.path.join(d, "files")
        auth = f"-h {self.db.host} -P {self.db.port} -u {shlex.quote(self.db.user)}"
        if self.db.password:
            auth += f" -p {shlex.quote(self.db.password)}"
        log("mydumper -t 2 (uncompressed files)")
        backup = f"mydumper {auth} -B {SRC_DB} -t 2 --trx-consistency-only -o {shlex.quote(files)}"
        rc, wall, rss, _ = self.timed(backup, self.db.env(), d, lg + "-backup")
        r = self.add(
            Result("mydumper -t 2", "backup", rc, wall, rss, du_bytes(files) if rc == 0 else None)
        )
        if rc != 0:
            return self.tool_failed(r.tool, "backup", lg + "-backup")

        def rerun():
            shutil.rmtree(files, ignore_errors=True)
            rc, wall, _, _ = self.timed(backup, self.db.env(), d, lg + "-backup-again")
            shutil.rmtree(files, ignore_errors=True)
            return rc, wall

        r.rerun = rerun
        dst = "bench_dst_mydumper"
        self.db.drop(dst)
        log("myloader -t 2")
        rc, wall, rss, _ = self.timed(
            f"myloader {auth} -d {shlex.quote(files)} -s {SRC_DB} -B {dst} -t 2",
            self.db.env(),
            d,
            lg + "-restore",
        )
        r = self.add(Result("myloader -t 2", "restore", rc, wall, rss))
        if rc != 0:
            return self.tool_failed(r.tool, "restore", lg + "-restore")
        self.check_restore(r, dst)
        if not self.args.keep_files:
            shutil.rmtree(files, ignore_errors=True)
        self.run_mydumper_compressed(auth, d)

    def run_mydumper_compressed(self, auth, d):
        """mydumper with its own compression (-c: gzip in the Debian package's 0.10), the closest
        it comes to a compressed backup; information beside the targets, which compare BackyDB's
        compressed and encrypted backup with mydumper's uncompressed files."""
        files = os.path.join(d, "files-compressed")
        lg = os.path.join(d, "log-compressed")
        log("mydumper -t 2 -c (compressed files)")
        backup = (
            f"mydumper {auth} -B {SRC_DB} -t 2 -c --trx-consistency-only -o {shlex.quote(files)}"
        )
        rc, wall, rss, _ = self.timed(backup, self.db.env(), d, lg + "-backup")
        size = du_bytes(files) if rc == 0 else None
        shutil.rmtree(files, ignore_errors=True)
        r = self.add(Result(MYDUMPER_COMPRESSED, "backup", rc, wall, rss, size))
        if rc != 0:
            return self.tool_failed(r.tool, "backup", lg + "-backup")

        def rerun():
            rc, wall, _, _ = self.timed(backup, self.db.env(), d, lg + "-backup-again")
            shutil.rmtree(files, ignore_errors=True)
            return rc, wall

        r.rerun = rerun

    # --- BackyDB

    def backy_env(self, d):
        e = dict(os.environ)
        e.update(
            {
                "DB_PASSWORD": self.db.password,
                "LOGGING_PATH": os.path.join(d, "logs"),
                "LOCAL_PATH": os.path.join(d, "store"),
                # the key pair outlives runs, as in a real deployment: the untimed probe makes it
                "LOCAL_KEY_STORE_PATH": os.path.join(self.out, "backy-keys"),
                # benchmark-only secrets for throw-away data in bench/out/
                "INTEGRITY_PASSWORD": "bench-integrity-password",
                "PRIVATE_KEY_PASSWORD": "bench-private-key-password",
            }
        )
        if self.args.backy_java_opts is not None:
            e["BACKY_JAVA_OPTS"] = self.args.backy_java_opts
        os.makedirs(e["LOCAL_KEY_STORE_PATH"], mode=0o700, exist_ok=True)
        for k in ("logs", "store"):
            os.makedirs(os.path.join(d, k), mode=0o700, exist_ok=True)
        return e

    def backy_backup_config(self, mode, src):
        cfg = {
            "database": {
                "host": self.db.host,
                "user": self.db.user,
                "port": self.db.port,
                "db_name": src,
            },
            "storage": {"storage_type": "local"},
        }
        if mode in ("zstd", "full"):
            cfg["compression"] = {"compression": True, "compression_type": "zstd"}
        if mode == "full":
            cfg["security"] = {
                "encryption": True,
                "type": "keystore",
                "provider": "local",
                "key_size": 4096,
            }
            cfg["integrity"] = {"integrity_check": True, "integrity_type": "hmac"}
        return cfg

    def backy_round_trip(self, mode, src, dst, d):
        """BackyDB backup of src then restore into dst, timed; returns (backup, restore, logbase)."""
        backy = self.args.backy
        fresh_dir(d)
        env = self.backy_env(d)
        lg = os.path.join(d, "log")
        tool = f"BackyDB ({mode})"
        bcfg = os.path.join(d, "backup.json")
        with open(bcfg, "w") as f:
            json.dump(self.backy_backup_config(mode, src), f, indent=2)
        rc, wall, rss, out = self.timed(
            f"{shlex.quote(backy)} backup --config {shlex.quote(bcfg)}", env, d, lg + "-backup"
        )
        lines = [line.strip() for line in out.splitlines() if line.strip()]
        location = lines[-1] if lines else ""
        if rc != 0 or not os.path.exists(location):
            return Result(tool, "backup", rc or 1, wall, rss), None, lg
        bres = Result(tool, "backup", rc, wall, rss, du_bytes(location))

        def rerun():
            backup = f"{shlex.quote(backy)} backup --config {shlex.quote(bcfg)}"
            rc, wall, _, out = self.timed(backup, env, d, lg + "-backup-again")
            lines = [line.strip() for line in out.splitlines() if line.strip()]
            if rc == 0 and lines and os.path.isfile(lines[-1]):
                os.remove(lines[-1])  # the metadata sidecar is tiny; the store goes at the end
            return rc, wall

        bres.rerun = rerun
        self.db.drop(dst)
        rcfg = os.path.join(d, "restore.json")
        with open(rcfg, "w") as f:
            json.dump(
                {
                    "database": {
                        "host": self.db.host,
                        "user": self.db.user,
                        "port": self.db.port,
                        "db_name": dst,
                    },
                    "backup_path": location,
                    "storage": {"storage_type": "local"},
                    # only `full` backups carry an HMAC; INTEGRITY_PASSWORD is set for every mode
                    "require_hmac": mode == "full",
                },
                f,
                indent=2,
            )
        rc, wall, rss, _ = self.timed(
            f"{shlex.quote(backy)} restore --config {shlex.quote(rcfg)}", env, d, lg + "-restore"
        )
        return bres, Result(tool, "restore", rc, wall, rss), lg

    def probe_backy(self, mode):
        """Untimed round trip of a tiny database: does this config work on the current build?"""
        probe, dst = "bench_probe", "bench_probe_dst"
        self.db.drop(probe)
        self.db.sql(f"CREATE DATABASE `{probe}` CHARACTER SET utf8mb4")
        self.db.sql(
            "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20));"
            " INSERT INTO t SELECT seq, CONCAT('v', seq) FROM seq_1_to_10",
            probe,
        )
        d = os.path.join(self.out, "backy-probe")
        b, r, lg = self.backy_round_trip(mode, probe, dst, d)
        reason = None
        if b.rc != 0:
            reason = "backup: " + (tail(lg + "-backup.err", 1) or f"exit {b.rc}")
        elif r.rc != 0:
            reason = "restore: " + (tail(lg + "-restore.err", 1) or f"exit {r.rc}")
        elif self.db.checksums(dst) != self.db.checksums(probe):
            reason = "the restored probe database differs from the original"
        self.db.drop(dst)
        self.db.drop(probe)
        shutil.rmtree(os.path.join(d, "store"), ignore_errors=True)
        return reason

    def run_backy(self):
        wanted = self.args.backy_config
        candidates = MODES if wanted == "auto" else [wanted]
        for mode in candidates:
            log(f"BackyDB: probing config '{mode}' on a tiny database (untimed)")
            reason = self.probe_backy(mode)
            if reason is None:
                self.backy_mode = mode
                break
            reason = reason.replace("\n", " ")
            self.backy_notes.append(f"config '{mode}' does not work on this build: {reason}")
            loud(f"BackyDB config '{mode}' does not work on this build ({reason})")
        if self.backy_mode is None:
            self.failures.append(f"BackyDB: no config of {candidates} works on this build")
            loud("FAILED: BackyDB: no configuration works on this build")
            if self.args.check:
                self.finish()
            return
        mode = self.backy_mode
        log(f"BackyDB backup + restore, config '{mode}'")
        d = os.path.join(self.out, "backy")
        b, r, lg = self.backy_round_trip(mode, SRC_DB, "bench_dst_backy", d)
        self.add(b)
        if b.rc != 0:
            return self.tool_failed(b.tool, "backup", lg + "-backup")
        self.add(r)
        if r.rc != 0:
            return self.tool_failed(r.tool, "restore", lg + "-restore")
        self.check_restore(r, "bench_dst_backy")
        if not self.args.keep_files:
            shutil.rmtree(os.path.join(d, "store"), ignore_errors=True)
        if self.args.warm_backups > 1:
            self.run_backy_warm(mode, d)

    def backy_default_java_opts(self):
        """bin/backy's JVM options, read from the script so that the two cannot drift apart."""
        with open(self.args.backy) as f:
            m = re.search(r"java_opts=\$\{BACKY_JAVA_OPTS:-(.*)\}", f.read())
        if not m:
            raise SystemExit(f"bench: cannot find the default JVM options in {self.args.backy}")
        return m.group(1)

    def run_backy_warm(self, mode, d):
        """N backups in one JVM (bench/WarmBackups.java), as the long-running service runs
        scheduled ones: the median of all but the first is a warm process's backup time."""
        n = self.args.warm_backups
        tool = f"BackyDB ({mode}), warm JVM"
        log(f"{tool}: {n} backups in one JVM, the first one not counted")
        root = os.path.dirname(os.path.dirname(os.path.abspath(self.args.backy)))
        opts = self.args.backy_java_opts
        if opts is None:
            opts = os.environ.get("BACKY_JAVA_OPTS") or self.backy_default_java_opts()
        env = self.backy_env(d)
        env.setdefault("MALLOC_MMAP_THRESHOLD_", "131072")
        cp = f"{root}/target/backydb.jar:{root}/target/lib/*"
        cmd = (
            f"java {opts} -cp {shlex.quote(cp)} {shlex.quote(os.path.join(HERE, 'WarmBackups.java'))}"
            f" {shlex.quote(os.path.join(d, 'backup.json'))} {n}"
        )
        lg = os.path.join(d, "log-warm")
        rc, _, rss, out = self.timed(cmd, env, d, lg)
        walls = [float(w) for w in re.findall(r"^backup \d+: ([\d.]+) s$", out, re.M)]
        if rc != 0 or len(walls) != n:
            return self.tool_failed(tool, "backup", lg)
        r = Result(tool, "backup", rc, statistics.median(walls[1:]), rss)
        r.walls = walls
        self.add(r)
        log(f"  every backup in that JVM: {', '.join(f'{w:.2f}' for w in walls)} s")

    # --- report

    def reference(self, op):
        name = "mariadb-dump \\| zstd -3" if op == "backup" else "mariadb < dump.sql"
        for r in self.results:
            if r.tool == name and r.op == op and r.rc == 0:
                return r
        return None

    def find(self, prefix, op):
        """The first successful row of a tool the targets compare (not an information row)."""
        for r in self.results:
            compared = r.tool.startswith(prefix) and not information_row(r.tool)
            if compared and r.op == op and r.rc == 0:
                return r
        return None

    def table(self, data_bytes):
        lines = [
            "| tool | operation | wall s | ratio vs reference | MB/s | peak RSS MB | output MB"
            " | checksum OK |",
            "|---|---|---:|---:|---:|---:|---:|---|",
        ]
        for r in self.results:
            ref = self.reference(r.op)
            if r.rc != 0:
                lines.append(f"| {r.tool} | {r.op} | FAILED (exit {r.rc}) | | | | | |")
                continue
            ratio = f"{r.wall / ref.wall:.2f}" if ref and ref.wall > 0 else "n/a"
            mbs = f"{data_bytes / MB / r.wall:.1f}" if r.wall > 0 else "n/a"
            size = f"{r.size / MB:.1f}" if r.size is not None else ""
            ok = {None: "", True: "yes", False: "**NO — FAILED**"}[r.checksum]
            lines.append(
                f"| {r.tool} | {r.op} | {r.wall:.2f} | {ratio} | {mbs} | {r.rss:.0f} | {size} | {ok} |"
            )
        return "\n".join(lines)

    def targets(self):
        rows = ["| target (issue 8) | measured | met |", "|---|---|---|"]

        def ratio_row(label, op, other_prefix, limit):
            b, o = self.find("BackyDB", op), self.find(other_prefix, op)
            if not b or not o or o.wall <= 0:
                rows.append(f"| {label} | n/a | n/a |")
                return
            x = b.wall / o.wall
            rows.append(f"| {label} | {x:.2f} | {'yes' if x <= limit else 'no'} |")

        ratio_row("backup wall ≤ 1.0 × mydumper -t 2", "backup", "mydumper", 1.0)
        ratio_row("backup wall ≤ 0.6 × mariadb-dump \\| zstd -3", "backup", "mariadb-dump", 0.6)
        ratio_row("restore wall ≤ 1.0 × myloader -t 2", "restore", "myloader", 1.0)
        ratio_row("restore wall ≤ 0.65 × mariadb < dump.sql", "restore", "mariadb <", 0.65)
        for op in ("backup", "restore"):
            b = self.find("BackyDB", op)
            if b:
                rows.append(
                    f"| {op} peak RSS < 300 MB | {b.rss:.0f} MB | {'yes' if b.rss < 300 else 'no'} |"
                )
        if self.backy_mode != "full" and "backy" in self.args.tools:
            rows.append(
                f"| BackyDB config as the issue asks (zstd + encryption + HMAC) |"
                f" {self.backy_mode or 'none worked'} | no |"
            )
        return "\n".join(rows)

    def machine(self):
        """The machine and tool versions, for the results."""

        def sh(cmd):
            p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, check=False)
            return (p.stdout + p.stderr).rstrip()

        server = self.db.sql("SELECT VERSION(), @@innodb_buffer_pool_size")[0]
        parts = [
            f"$ nproc\n{sh('nproc')}",
            f"$ free -h\n{sh('free -h')}",
            f"$ lscpu | head\n{sh('lscpu | head')}",
            f"MariaDB server {server[0]} (innodb_buffer_pool_size {int(server[1]) // 2**20} MiB),"
            " on the same machine",
            sh("mariadb-dump --version; mariadb --version; mydumper --version; myloader --version"),
            sh("zstd --version; java -version 2>&1 | head -1; python3 --version; uname -sr"),
        ]
        return "```\n" + "\n".join(parts) + "\n```\n"

    def finish(self):
        n_tables, data_bytes, approx_rows = dataset_bytes(self.db)
        load = os.getloadavg()
        mode = self.backy_mode or ("none worked" if "backy" in self.args.tools else "not run")
        java_opts = self.args.backy_java_opts
        if java_opts is None:
            java_opts = os.environ.get("BACKY_JAVA_OPTS", "")
        head = [
            f"BackyDB benchmark, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
            f"- scale {self.args.scale} ({FULL_SIZE_NOTE}); dataset `{SRC_DB}`: {n_tables} tables,"
            f" ~{approx_rows:,} rows, {data_bytes / MB:.1f} MB (InnoDB data + index)",
            f"- load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
            f" (at the start: {self.start_load})",
            f"- BackyDB config: {mode}"
            + (f" (asked: {self.args.backy_config})" if self.args.backy_config != "auto" else "")
            + f"; {self.args.backy}; BACKY_JAVA_OPTS={java_opts!r}",
            "- before every timed step the server settles: InnoDB writes back the pages earlier"
            " steps dirtied and purges their undo logs",
        ]
        for n in self.backy_notes:
            head.append(f"- fallback: {n}")
        if self.backy_mode and self.backy_mode != "full":
            head.append(
                f"- NOTE: BackyDB ran with config '{self.backy_mode}', not the issue's"
                " zstd + encryption + HMAC; its numbers are not yet the target comparison"
            )
        head.append(
            "- ratio: wall / the reference (backup: `mariadb-dump | zstd -3`; restore:"
            " `mariadb < dump.sql`); MB/s: dataset MB / wall; peak RSS: client processes only"
        )
        head.append(
            f"- backup wall: the median of {self.args.backup_rounds} interleaved run(s) of each tool"
            " (peak RSS and size: the first); restore wall: one run; warm JVM: BackyDB's backups"
            " after the first in one process (as the long-running service runs scheduled ones),"
            f" and `{MYDUMPER_COMPRESSED}`: mydumper compressing its files (gzip), not target rows"
        )
        text = "\n".join(head) + "\n\n" + self.table(data_bytes) + "\n\n" + self.targets() + "\n"
        runs = [r for r in self.results if r.op == "backup" and len(r.walls) > 1]
        if runs:
            text += "\nEvery backup run, in order (s):\n\n" + "\n".join(
                f"- {r.tool}: "
                + ", ".join(f"{w:.2f}" for w in r.walls)
                + (" (one JVM; the first is not counted)" if r.tool.endswith("warm JVM") else "")
                for r in runs
            )
            text += "\n"
        text += "\nMachine:\n\n" + self.machine()
        if self.failures:
            text += "\n**FAILED:**\n" + "\n".join(f"- {f}" for f in self.failures) + "\n"
        print("\n" + text, flush=True)
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(text)
        log(f"results written to {os.path.join(self.out, 'results.md')}")
        if self.failures:
            loud(f"BENCHMARK FAILED: {len(self.failures)} problem(s), see above")
        if not self.args.keep_files:
            if os.path.exists(os.path.join(self.out, "mariadb-dump", "dump.sql.zst")):
                os.remove(os.path.join(self.out, "mariadb-dump", "dump.sql.zst"))
            # what the extra backup rounds and the warm row left: metadata sidecars
            shutil.rmtree(os.path.join(self.out, "backy", "store"), ignore_errors=True)
        if self.args.check:
            print("CHECK FAILED" if self.failures else "CHECK PASSED: every restore matches", flush=True)
        sys.exit(1 if self.failures else 0)

    def run(self):
        self.start_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        try:
            self.db.sql("SELECT 1")
        except (RuntimeError, OSError) as e:
            print(f"bench: cannot reach MariaDB at {self.db.host}:{self.db.port}: {e}", file=sys.stderr)
            sys.exit(2)
        if os.getloadavg()[0] > 3:
            loud(
                f"load average {self.start_load}: other work is running, timings will not be"
                " representative (correctness checks still are)"
            )
        os.makedirs(self.out, mode=0o700, exist_ok=True)
        ensure_dataset(self.db, self.args.scale, self.args.regenerate)
        n_tables, data_bytes, _ = dataset_bytes(self.db)
        log(f"dataset: {n_tables} tables, {data_bytes / MB:.1f} MB; checksumming the source")
        self.source_sums = self.db.checksums(SRC_DB)
        tools = self.args.tools.split(",")
        if "mariadb" in tools:
            self.run_mariadb_dump()
        if "mydumper" in tools:
            self.run_mydumper()
        if "backy" in tools:
            self.run_backy()
        self.more_backup_rounds()
        self.finish()

    def more_backup_rounds(self):
        """Runs every backup that worked again, tool after tool, round after round: the machine's
        speed drifts by tens of percent within minutes, and the median of interleaved runs is what
        the report compares."""
        backups = [r for r in self.results if r.op == "backup" and r.rc == 0 and r.rerun]
        for n in range(2, self.args.backup_rounds + 1):
            for r in backups:
                log(f"{r.tool} backup, round {n} of {self.args.backup_rounds}")
                rc, wall = r.rerun()
                if rc != 0:
                    self.failures.append(f"{r.tool} backup failed in round {n}")
                    loud(f"FAILED: {r.tool} backup exited {rc} in round {n}")
                    continue
                r.add_run(wall)
                log(f"  {wall:.2f} s (median so far {r.wall:.2f} s)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0, help="fraction of the ~700 MB dataset")
    p.add_argument(
        "--check",
        action="store_true",
        help="smoke mode: stop at the first failure and print CHECK PASSED/FAILED (exit 1 on failure)",
    )
    p.add_argument(
        "--backy-config",
        choices=["auto", "full", "zstd", "raw"],
        default="auto",
        help="full = zstd + encryption (keystore/local) + HMAC; auto tries full, then zstd, then raw",
    )
    p.add_argument("--backy-java-opts", default=None, help="BACKY_JAVA_OPTS for BackyDB's JVM")
    p.add_argument(
        "--backy",
        default=os.environ.get("BENCH_BACKY", os.path.join(ROOT, "bin", "backy")),
        help="the bin/backy to run (default: this checkout's; env BENCH_BACKY)",
    )
    p.add_argument("--tools", default="mariadb,mydumper,backy", help="which tools to run")
    p.add_argument(
        "--warm-backups",
        type=int,
        default=4,
        help="BackyDB backups in one JVM for the warm row (default 4, the first not counted;"
        " 0 or 1: no warm row)",
    )
    p.add_argument(
        "--backup-rounds",
        type=int,
        default=3,
        help="time every backup this many times, interleaved, and report the median (default 3)",
    )
    p.add_argument(
        "--selftest-corrupt",
        action="store_true",
        help="test the harness: change one row of every restored database before its check,"
        " which must then fail",
    )
    p.add_argument("--regenerate", action="store_true", help="rebuild the dataset even if present")
    p.add_argument("--keep-files", action="store_true", help="keep the backups in the out folder")
    p.add_argument("--keep-restored", action="store_true", help="keep the restored databases")
    p.add_argument("--out", default=os.path.join(HERE, "out"), help="work folder (default bench/out)")
    args = p.parse_args()
    if args.scale <= 0:
        p.error("--scale must be positive")
    if args.backup_rounds < 1:
        p.error("--backup-rounds must be at least 1")
    db = Db(
        os.environ.get("BENCH_DB_HOST", "127.0.0.1"),
        int(os.environ.get("BENCH_DB_PORT", "3306")),
        os.environ.get("BENCH_DB_USER", "root"),
        os.environ.get("BENCH_DB_PASSWORD", ""),
    )
    Bench(args, db).run()


if __name__ == "__main__":
    main()
