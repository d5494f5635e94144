"""The sync trial of issue 22: many data folders syncing at once through real git servers, with kills.

Not a unit test: a trial as an office would live it, on one machine, every server on 127.0.0.1.

    python benchmarks/sync_trial.py --transport path     # a bare repository on a path (the shared drive)
    python benchmarks/sync_trial.py --transport http     # git http-backend behind a threaded HTTP server
    python benchmarks/sync_trial.py --transport ssh      # sshd on 127.0.0.1 (needs openssh-server), git-upload-pack
    python benchmarks/sync_trial.py --transport git      # git daemon (git://)
    python benchmarks/sync_trial.py --transport path --folders 10 --syncs 40 --kills 4   # a short run

Each data folder holds one unit (the plan's units that hold a task; the last five units also on a second
folder). Each round marks one record in every folder of a group of ``--at-once`` folders and starts their
syncs together; ``--kills`` of all the syncs are killed (SIGKILL) at a random moment; halfway through, a
person runs ``git gc`` on the server's repository. At the end one sequential pass syncs every folder (twice
for the folders whose last sync was killed) and the trial checks: no sync failed that was not killed, every
folder holds the same files, every record marked is there exactly once, and ``fazhi check`` is clean.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transport", choices=("path", "http", "ssh", "git"), required=True)
    ap.add_argument("--folders", type=int, default=45)
    ap.add_argument("--at-once", type=int, default=8)
    ap.add_argument("--syncs", type=int, default=300, help="syncs started in all (kills included)")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=22)
    ap.add_argument("--keep", action="store_true", help="keep the trial's folder")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from fazhi_cli import ledger, record
    from fazhi_cli.plan import load_plan
    from fazhi_cli.sync import run as sync_run

    plan = load_plan(None)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="fazhi-trial-"))
    share = work / "share.git"
    sync_run.sync(plan, work / "office", init_remote=str(share))
    units = [u for u in plan.units if _targets(plan, u)]
    owners = [units[i % len(units)] for i in range(args.folders - 5)] + units[:5]
    pcs = [work / f"pc{i:02d}" for i in range(args.folders)]
    env = {**os.environ, "FAZHI_SYNC_DEADLINE": "300", "NO_PROXY": "127.0.0.1", "FAZHI_LANG": "en"}
    server = _serve(args.transport, share, work, env)
    marked: set[str] = set()
    failures: list[str] = []
    times: list[float] = []
    started = killed = 0
    kill_at = set(rng.sample(range(args.syncs), args.kills))
    gc_at = args.syncs // 2
    t0 = time.monotonic()
    try:
        address = server.address
        n = 0
        while started < args.syncs:
            group = rng.sample(range(args.folders), min(args.at_once, args.syncs - started))
            for i in group:
                ts = _targets(plan, owners[i])
                ev = record.mark(plan, pcs[i], target=ts[n % len(ts)], unit=owners[i], state="done", by="试用",
                                 on=f"2017-{n % 12 + 1:02d}-{n % 27 + 1:02d}", note=f"第{n}次", evidence=[])
                marked.update(e["id"] for e in ev.events)
                n += 1
            if started <= gc_at < started + len(group):
                server.gc()
            procs, timers = [], []
            for i in group:
                remote = [] if (pcs[i] / ".sync" / "state.json").exists() else [address]
                p = subprocess.Popen([sys.executable, "-m", "fazhi_cli", "sync", *remote, "--data-dir", str(pcs[i])],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
                if started in kill_at:
                    tm = threading.Timer(rng.uniform(0.2, 2.0), _kill, (p,))
                    tm.start()
                    timers.append(tm)
                procs.append((p, time.monotonic()))
                started += 1
            for p, t in procs:
                _, err = p.communicate(timeout=900)
                if p.returncode == -signal.SIGKILL:
                    killed += 1
                elif p.returncode != 0:
                    failures.append(err.decode("utf-8", "replace").strip())
                else:
                    times.append(time.monotonic() - t)
            for tm in timers:
                tm.cancel()
        # one sequential pass; the folders synced twice where a kill may have left work undone
        for pc in pcs + pcs:
            remote = [] if (pc / ".sync" / "state.json").exists() else [address]
            r = subprocess.run([sys.executable, "-m", "fazhi_cli", "sync", *remote, "--data-dir", str(pc)],
                               capture_output=True, env=env, timeout=900)
            if r.returncode != 0:
                failures.append("final pass: " + r.stderr.decode("utf-8", "replace").strip())
        files = [{p.name: p.read_bytes() for p in sorted((pc / "progress").glob("*.jsonl"))} for pc in pcs]
        ids = [e.id for e in ledger.read_ledger(pcs[0], plan).events]
        checks = [subprocess.run([sys.executable, "-m", "fazhi_cli", "check", "--data-dir", str(pc)],
                                 capture_output=True, env=env, timeout=300).returncode for pc in pcs]
    finally:
        server.close()
    times.sort()
    result = {
        "transport": args.transport, "folders": args.folders, "at_once": args.at_once, "syncs": started,
        "killed": killed, "failed": len(failures), "failures": failures[:10],
        "records_marked": len(marked), "records_present": len(set(ids)), "lost": len(marked - set(ids)),
        "duplicated": len(ids) - len(set(ids)), "converged": all(f == files[0] for f in files),
        "check_clean": sum(1 for c in checks if c == 0), "median_sync_s": round(times[len(times) // 2], 2) if times else None,
        "p95_sync_s": round(times[int(len(times) * 0.95)], 2) if times else None,
        "wall_s": round(time.monotonic() - t0, 1),
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    ok = not failures and result["converged"] and not result["lost"] and not result["duplicated"] \
        and result["check_clean"] == args.folders
    return 0 if ok else 1


def _targets(plan, unit: str) -> list[str]:
    return sorted(p.id for p in plan.parts.values() if unit in p.lead_units or unit in p.support_units)


def _kill(p: subprocess.Popen) -> None:
    try:
        p.send_signal(signal.SIGKILL)
    except OSError:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """A server for the shared repository; ``gc`` is a person running ``git gc`` on it."""

    def __init__(self, share: Path, address: str) -> None:
        self.share, self.address = share, address

    def gc(self) -> None:
        subprocess.run(["git", "-C", str(self.share), "gc", "--quiet"], timeout=300, check=True)

    def close(self) -> None:
        pass


class _Process(_Server):
    def __init__(self, share: Path, address: str, proc: subprocess.Popen) -> None:
        super().__init__(share, address)
        self.proc = proc

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _serve(kind: str, share: Path, work: Path, env: dict) -> _Server:
    if kind == "path":
        return _Server(share, str(share))
    if kind == "git":
        port = _free_port()
        proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                                 "--export-all", "--enable=receive-pack", f"--base-path={work}", str(work)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(port)
        return _Process(share, f"git://127.0.0.1:{port}/share.git", proc)
    if kind == "http":
        return _HttpBackend(share, work)
    return _Sshd(share, work, env)


def _wait_port(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


class _HttpBackend(_Server):
    """git http-backend (git's own smart-HTTP CGI program) behind a threaded HTTP server on 127.0.0.1."""

    def __init__(self, share: Path, work: Path) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        backend = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
        program = os.path.join(backend, "git-http-backend")
        root = str(work)

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *a) -> None:
                pass

            def _cgi(self) -> None:
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                cgi_env = {"PATH": os.environ.get("PATH", ""), "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1",
                           "REMOTE_USER": "trial", "REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": self.command,
                           "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                           "CONTENT_LENGTH": str(len(body)), "SERVER_PROTOCOL": "HTTP/1.0",
                           "GATEWAY_INTERFACE": "CGI/1.1"}
                if self.headers.get("Content-Encoding"):
                    cgi_env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
                if self.headers.get("Git-Protocol"):
                    cgi_env["HTTP_GIT_PROTOCOL"] = self.headers["Git-Protocol"]
                out = subprocess.run([program], input=body, capture_output=True, env=cgi_env).stdout
                head, _, payload = out.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.split(b"\r\n"):
                    k, _, v = line.decode("latin-1").partition(":")
                    if k.lower() == "status":
                        status = int(v.strip().split()[0])
                    elif k:
                        headers.append((k, v.strip()))
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _cgi

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        super().__init__(share, f"http://127.0.0.1:{self.httpd.server_port}/share.git")

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Sshd(_Process):
    """sshd on 127.0.0.1 with a key of the trial's own; PCs reach it through GIT_SSH_COMMAND."""

    def __init__(self, share: Path, work: Path, env: dict) -> None:
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        if not os.path.exists(sshd):
            raise SystemExit("sshd is not installed (apt-get install openssh-server)")
        keys = work / "ssh"
        keys.mkdir(mode=0o700)
        for name in ("host", "client"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
        auth = keys / "authorized_keys"
        auth.write_text((keys / "client.pub").read_text())
        auth.chmod(0o600)
        port = _free_port()
        config = keys / "sshd_config"
        config.write_text(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
                          f"AuthorizedKeysFile {auth}\nPasswordAuthentication no\nPidFile {keys / 'pid'}\n"
                          "StrictModes no\nUsePAM no\nMaxStartups 100\nMaxSessions 100\n")
        os.makedirs("/run/sshd", exist_ok=True)
        proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        _wait_port(port)
        env["GIT_SSH_COMMAND"] = (f"ssh -i {keys / 'client'} -o StrictHostKeyChecking=no "
                                  f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes")
        user = os.environ.get("USER") or "root"
        super().__init__(share, f"ssh://{user}@127.0.0.1:{port}{share}", proc)


if __name__ == "__main__":
    sys.exit(main())
