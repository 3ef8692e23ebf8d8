"""The Python binding's benchmark (not a test): one APIG progress call, side by side, from
  - the C ABI (client_c.c, linked with the same libhwinst.so),
  - the Python binding (hwinst.Client.apig_creation_progress, a typed result),
  - hwinst._native alone (the same C call as the binding makes it, the document read into a
    dict, no model built),
  - ctypes alone (the same C call through ctypes, the document copied and freed),
  - the official Python SDK (huaweicloudsdkapig + huaweicloudsdkcore),
all AK/SK-signed, against the same local simulator (`hwinst sim serve`), each client in a
process of its own so that its CPU time (user + system, the simulator excluded) is its own.
Rounds interleave the clients; each row is the client's best round (lowest CPU per call), and
the median of its rounds is given too: on a busy machine the rounds vary by half. So is the
median over the rounds of its CPU ÷ the C ABI's in the same round, which the machine's drift
between rounds moves least.

Run by scripts/bench-python.sh, which builds and installs what it needs:

    python run.py --sim HWINST --c CLIENT_C --python VENV_PYTHON [--sdk SDK_PYTHON]
                  [--calls N] [--sdk-calls N] [--rounds R] [--baseline SRC_DIR]

``--instructions`` also counts each client's instructions per call (not the SDK's) with
valgrind's callgrind: two runs of different lengths, the difference divided by the extra calls.
Unlike CPU time, the count does not move with the machine's load, so it shows a change of a
few percent that the rounds' noise hides; it is not CPU time (cache misses are not in it, and
under valgrind the library's SHA-256 runs without the CPU's SHA extensions).

Without ``--sdk`` there is no SDK row. ``--baseline SRC_DIR`` adds a row for another version of
the binding, its sources in SRC_DIR (the directory holding its ``hwinst/``, e.g. a copy of
``bindings/python/src`` from before a change), run on the same library as the installed one,
in the same rounds: a before/after comparison from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
INSTANCE = "eddc4d25480b4cd6b512f270a1b8b341"


def admin(url: str, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=20) as response:
        text = response.read()
    return json.loads(text) if text else None


def run(command: List[str], env: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def instructions(command: List[str], env: Optional[Dict[str, str]], calls: int) -> int:
    """The instructions callgrind counts in ``command`` (CALLS calls after 100 to warm up)."""
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + command[:-2]
                          + [str(calls), "100"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          check=False, env=env)
    match = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not match:
        raise SystemExit(f"valgrind {command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sim", required=True)
    parser.add_argument("--c", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--sdk")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--sdk-calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--baseline")
    parser.add_argument("--instructions", action="store_true")
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")

    sim = subprocess.Popen([args.sim, "sim", "serve", "--addr", "127.0.0.1:0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    try:
        assert sim.stdout is not None
        url = sim.stdout.readline().decode().strip()
        admin(url, "POST", "/_sim/instances", {"service": "apig", "id": INSTANCE, "outcome": "steady"})
        sim_config = admin(url, "GET", "/_sim/config")
        config = {
            "region": sim_config["region"],
            "project_id": sim_config["project_id"],
            "credentials": {"ak": "sim-ak", "sk": "sim-sk"},
            "endpoints": sim_config["endpoints"],
            "proxy": "none",
        }
        text = json.dumps(config)
        binding = "Python binding (`Client.apig_creation_progress`)"
        sdk_row = "official Python SDK (huaweicloudsdkapig 3.1.219)"

        def python_client(mode: str) -> List[str]:
            """client_py.py in `mode` (binding, native or ctypes)."""
            return [args.python, str(HERE / "client_py.py"), mode, text, INSTANCE, str(args.calls), "500"]

        # Each client: its command and its environment (None: this process's).
        clients: Dict[str, Tuple[List[str], Optional[Dict[str, str]]]] = {
            "C ABI (`hwinst_apig_creation_progress`)": ([args.c, text, INSTANCE, str(args.calls), "500"], None),
            binding: (python_client("binding"), None),
        }
        if args.baseline:
            # The baseline's sources first on the path, on the installed package's library.
            library = subprocess.run([args.python, "-c", "import hwinst._lib as l; print(l.library_path)"],
                                     stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
            env = dict(os.environ, PYTHONPATH=os.path.abspath(args.baseline), HWINST_LIB=library)
            clients[f"Python binding, baseline ({args.baseline})"] = (python_client("binding"), env)
        clients["hwinst._native only (the C call, the document read into a dict)"] = (python_client("native"), None)
        clients["ctypes only (the C call, no decoding)"] = (python_client("ctypes"), None)
        if args.sdk:
            clients[sdk_row] = ([args.sdk, str(HERE / "client_sdk.py"), url, config["project_id"], "sim-ak", "sim-sk",
                                 INSTANCE, str(args.sdk_calls), "100"], None)
        best: Dict[str, Dict[str, Any]] = {}
        cpus: Dict[str, List[float]] = {name: [] for name in clients}
        for round_ in range(args.rounds):
            for name, (command, env) in clients.items():
                result = run(command, env)
                result["cpu_us"] = result["cpu_s"] / result["calls"] * 1e6
                result["wall_us"] = result["wall_s"] / result["calls"] * 1e6
                print(f"round {round_ + 1}: {name}: {result['cpu_us']:.1f} us CPU, "
                      f"{result['wall_us']:.1f} us wall per call", file=sys.stderr, flush=True)
                cpus[name].append(result["cpu_us"])
                if name not in best or result["cpu_us"] < best[name]["cpu_us"]:
                    best[name] = result
        c = best[next(iter(clients))]
        print()
        medians = {name: statistics.median(values) for name, values in cpus.items()}
        c_cpus = cpus[next(iter(clients))]
        c_median = statistics.median(c_cpus)
        # Each round's CPU ÷ the C ABI's in the same round (the clients ran back to back), the
        # median over the rounds: on a noisy machine the rounds drift together, and this ratio
        # moves less than the best or the median of each column.
        paired = {name: statistics.median(v / c_ for v, c_ in zip(values, c_cpus)) for name, values in cpus.items()}
        print("| client | calls/s | CPU per call (best) | CPU ÷ C ABI (best) | CPU per call (median) "
              "| CPU ÷ C ABI (median) | CPU ÷ C ABI (median of each round's) | wall per call | peak RSS |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, r in best.items():
            print(f"| {name} | {1e6 / r['wall_us']:,.0f} | {r['cpu_us']:.1f} µs | {r['cpu_us'] / c['cpu_us']:.2f}× "
                  f"| {medians[name]:.1f} µs | {medians[name] / c_median:.2f}× | {paired[name]:.2f}× "
                  f"| {r['wall_us']:.1f} µs | {r['maxrss_kb'] / 1024:.1f} MB |")
        ours = best[binding]
        if args.instructions:
            print()
            print("| client | instructions per call (callgrind) | ÷ C ABI |")
            print("|---|---|---|")
            counts: Dict[str, float] = {}
            for name, (command, env) in clients.items():
                if name == sdk_row:
                    continue
                short, long = instructions(command, env, 200), instructions(command, env, 1200)
                counts[name] = (long - short) / 1000
                print(f"| {name} | {counts[name]:,.0f} | {counts[name] / counts[next(iter(clients))]:.2f}× |",
                      flush=True)
        print()
        versus_sdk = (f"the SDK spends {best[sdk_row]['cpu_us'] / ours['cpu_us']:.1f}× the binding's CPU per call; "
                      if sdk_row in best else "")
        print(f"Best rounds: {versus_sdk}the binding {ours['cpu_us'] / c['cpu_us']:.2f}× the C ABI's "
              f"(median {medians[binding] / c_median:.2f}×, median of each round's {paired[binding]:.2f}×). "
              f"{args.rounds} rounds of {args.calls} calls ({args.sdk_calls} for the SDK).")
    finally:
        if sim.stdin:
            sim.stdin.close()
        sim.wait(timeout=20)


if __name__ == "__main__":
    main()
