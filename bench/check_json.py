#!/usr/bin/env python3
"""bench.tiny: run plugtls-bench in a tiny configuration and check that its
JSON parses and holds every figure, for plugtls and the native baseline, of
every provider built. The figures themselves are not asserted."""
import json
import subprocess
import sys

FIGURES = [
    "hs_full_tls13_ecdsa", "hs_full_tls13_rsa", "hs_full_tls12_ecdsa",
    "hs_resumed_tls13", "bulk_aes128gcm", "bulk_chacha20",
    "mem_client_bytes", "mem_server_bytes", "mallocs_per_handshake",
    "peak_rss_kib", "rss_per_conn_bytes",
]
STATS = ["median", "min", "max", "q1", "q3", "n"]
# Rates carry the spread of their paired (back-to-back) ratios too.
RATES = FIGURES[:6]


def main():
    exe, providers = sys.argv[1], sys.argv[2].split(",")
    cmd = [exe, "--json", "--quiet", "--no-speed", "--count", "3",
           "--reps", "2", "--mem-conns", "3", "--rss-conns", "10"]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=25, check=False)
    sys.stderr.write(run.stderr.decode(errors="replace"))
    data = json.loads(run.stdout)
    errors = []
    got = {p["name"]: p for p in data["providers"]}
    for name in providers:
        p = got.get(name)
        if p is None:
            errors.append(f"{name}: missing")
            continue
        if p["status"] != "ok":
            errors.append(f"{name}: {p['status']}")
            continue
        for fig in FIGURES:
            f = p["figures"].get(fig)
            if f is None:
                errors.append(f"{name}: figure {fig} missing")
                continue
            if "error" in f:
                errors.append(f"{name}: {fig}: {f['error']}")
                continue
            for impl in ("plugtls", "native"):
                for key in STATS:
                    if not isinstance(f.get(impl, {}).get(key), (int, float)):
                        errors.append(f"{name}: {fig}: {impl}.{key} missing")
            if "ratio" not in f:
                errors.append(f"{name}: {fig}: ratio missing")
            if fig in RATES:
                for key in STATS:
                    if not isinstance(f.get("ratio_paired", {}).get(key),
                                      (int, float)):
                        errors.append(f"{name}: {fig}: ratio_paired.{key} "
                                      "missing")
    if run.returncode != 0 and not errors:
        errors.append(f"exit status {run.returncode}")
    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print(f"ok: {len(providers)} providers x {len(FIGURES)} figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
