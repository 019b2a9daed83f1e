#!/usr/bin/python3
"""bench.py — the number handling behind bench/run.sh (Debian's python3,
standard library only).

  bench.py ini SCENARIO KEY [--set section.key=value ...]
      print a scenario value (section.key), after the --set overrides
  bench.py json FILE KEY
      print a top-level value of a JSON file (summary.json)
  bench.py meta REPO BINARY MODE REF_THREADS POSTGIS
      print the machine, build, library versions and git revision as JSON
  bench.py meta-set META.json KEY.PATH VALUE
      set one string in that JSON (e.g. libraries.postgis after the cluster ran)
  bench.py raster --tmp DIR --meta META.json --prefix PATH SCALE ...
      the signal rasters' benchmark (bench/raster.sh): per scale the median
      run's raster stage (cells, seconds and its parts, cells/s), peak RSS and
      consistency; writes PATH.json and PATH.md and replaces the table between
      the bench:raster markers of bench/README.md and docs/performance.md
  bench.py report --tmp DIR --meta META.json --prefix PATH SCALE ...
      read every measurement under DIR/<scale>/, print the tables, write
      PATH.json, PATH.csv, PATH.md and PATH-scaling.dat (for gnuplot);
      exit 3 when a comparator disagrees with towncov by more than TOLERANCE

Layout of DIR/<scale>/ (written by run.sh):
  scale/t<N>-r<K>/   towncov, exact engine, N threads, repeat K:
                     summary.json, townships.csv, time.json
  naive/, geos/      towncov comparators, same files
  outputs/           towncov exact with the QGIS layers and map.png (default outputs)
  postgis/           load.json; natural, func-w0, func-w2: .csv + .json
  skipped.txt        "comparator: reason" lines
"""
import configparser
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time

TOLERANCE = 1e-6  # largest |covered_frac difference| accepted, per township
PHASES = ["load", "place", "footprints", "coverage", "goal", "report"]


# ---- small commands ---------------------------------------------------------
def cmd_ini(args):
    scenario, key = args[0], args[1]
    sets = [args[i + 1] for i in range(2, len(args) - 1) if args[i] == "--set"]
    ini = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";", "#"))
    ini.read(scenario, encoding="utf-8")
    section, name = key.split(".", 1)
    for s in sets:
        k, _, v = s.partition("=")
        if k.strip() == key:
            print(v.strip())
            return 0
    if not ini.has_option(section, name):
        print(f"bench.py: {scenario} has no {key}", file=sys.stderr)
        return 2
    print(ini.get(section, name))
    return 0


def cmd_json(args):
    with open(args[0], encoding="utf-8") as f:
        value = json.load(f)[args[1]]
    print(value if not isinstance(value, (dict, list)) else json.dumps(value))
    return 0


# ---- the machine and the build ----------------------------------------------
def capture(cmd, default="unknown"):
    """First line of a command's output, or default when it fails."""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
        return out.strip().splitlines()[0].strip() if out.strip() else default
    except (OSError, subprocess.SubprocessError):
        return default


def makefile_variable(repo, name):
    """A variable as the Makefile sets it (make -p prints its database; -q runs nothing)."""
    try:
        out = subprocess.run(["make", "-C", repo, "-pnq", "clean"], capture_output=True,
                             text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    for line in out.splitlines():
        m = re.match(rf"^{name} :?= (.*)$", line)
        if m:
            return m.group(1).strip()
    return "unknown"


def binary_producer(binary):
    """The compiler and flags the binary was really built with (DWARF producer; needs -g)."""
    out = capture(["sh", "-c", f"readelf --debug-dump=info '{binary}' 2>/dev/null"
                               " | grep -m1 DW_AT_producer"], default="")
    m = re.search(r"DW_AT_producer\s*:\s*(?:\(indirect[^)]*\):\s*)?(.*)", out)
    return m.group(1).strip() if m else "unknown (no debug info)"


def cmd_meta(args):
    """bench.py meta REPO BINARY MODE REF_THREADS POSTGIS(yes|no) > meta.json"""
    repo, binary, mode, ref_threads, postgis = args
    import datetime
    import socket
    meminfo = open("/proc/meminfo", encoding="ascii").read()
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = capture(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"])
    git = ["git", "-C", repo]
    # Read-only git: no `git status` (it may rewrite the index).
    changed = subprocess.run(git + ["diff", "--no-ext-diff", "--quiet", "HEAD", "--"]).returncode != 0
    untracked = capture(git + ["ls-files", "--others", "--exclude-standard", "--", "sim", "include",
                               "Makefile"], default="")
    libraries = {lib: capture(["pkg-config", "--modversion", lib]) for lib in
                 ("geos", "proj", "shapelib", "inih")}
    if postgis == "yes":
        libraries["postgresql"] = capture(["psql", "--version"])
        libraries["postgis"] = "not run"  # run.sh asks the cluster
    meta = {
        "date": datetime.date.today().isoformat(),
        "host": socket.gethostname().split(".")[0],
        "mode": mode,
        "reference_threads": int(ref_threads),
        "binary": os.path.abspath(binary),
        "git": {"rev": capture(git + ["rev-parse", "--short", "HEAD"]),
                "dirty": bool(changed or untracked)},
        "machine": {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem_kb / 1024 / 1024,
                    "loadavg_start": open("/proc/loadavg").read().split()[0],
                    "kernel": capture(["uname", "-sr"])},
        "compiler": {"version": capture(["cc", "--version"]),
                     "cflags": makefile_variable(repo, "CFLAGS"),
                     "binary_producer": binary_producer(binary)},
        "libraries": libraries,
        "omp_env": {k: v for k, v in os.environ.items() if k.startswith("OMP_")},
    }
    json.dump(meta, sys.stdout, indent=1)
    print()
    return 0


def cmd_meta_set(args):
    """bench.py meta-set META.json KEY.PATH VALUE: sets a string value in place."""
    path, key, value = args
    meta = read_json(path)
    node = meta
    *parents, last = key.split(".")
    for k in parents:
        node = node.setdefault(k, {})
    node[last] = value
    with open(path, "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    return 0


# ---- reading measurements ---------------------------------------------------
def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_towncov_fracs(path):
    """code -> covered_frac from a towncov townships.csv."""
    with open(path, encoding="utf-8", newline="") as f:
        return {row["code"]: float(row["covered_frac"]) for row in csv.DictReader(f)}


def read_postgis_fracs(path):
    """code -> covered_m2 / area_m2 from a PostGIS query's CSV."""
    with open(path, encoding="utf-8", newline="") as f:
        out = {}
        for row in csv.DictReader(f):
            area = float(row["area_m2"])
            out[row["code"]] = float(row["covered_m2"]) / area if area > 0 else 0.0
        return out


def max_difference(reference, other):
    """Largest |difference| over townships; inf when the code sets differ."""
    if set(reference) != set(other):
        return float("inf")
    return max((abs(reference[c] - other[c]) for c in reference), default=0.0)


def towncov_run(run_dir):
    """One towncov run: phases (s), end-to-end wall (s), peak RSS (MB)."""
    summary = read_json(os.path.join(run_dir, "summary.json"))
    timing = read_json(os.path.join(run_dir, "time.json"))
    return {
        "phases": {p: summary["seconds"].get(p, 0.0) for p in PHASES},
        "wall_s": timing["end"] - timing["start"],
        "start": timing["start"],
        "max_rss_mb": timing["max_rss_kb"] / 1024.0,
        "cpu_s": timing.get("user_s", 0.0) + timing.get("sys_s", 0.0),
        "checksum": summary["checksum"],
        "summary": summary,
    }


def scaling_runs(scale_dir):
    """threads -> [run, ...] for the exact engine's scaling runs."""
    by_threads = {}
    base = os.path.join(scale_dir, "scale")
    for name in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        m = re.fullmatch(r"t(\d+)-r(\d+)", name)
        run_dir = os.path.join(base, name)
        if m and os.path.exists(os.path.join(run_dir, "time.json")):
            by_threads.setdefault(int(m.group(1)), []).append(towncov_run(run_dir))
    return dict(sorted(by_threads.items()))


def median_run(runs):
    return {
        "repeats": len(runs),
        "phases": {p: statistics.median(r["phases"][p] for r in runs) for p in PHASES},
        "wall_s": statistics.median(r["wall_s"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "max_rss_mb": max(r["max_rss_mb"] for r in runs),
    }


# ---- one scale --------------------------------------------------------------
TOWNCOV_COMPARATORS = [  # folder under DIR/<scale>/, label
    ("naive", "naive"),
    ("geos", "geos"),
    ("outputs", "exact + QGIS layers + map.png"),
]

def analyse_scale(tmp, scale, ref_threads):
    scale_dir = os.path.join(tmp, scale)
    by_threads = scaling_runs(scale_dir)
    if not by_threads:
        raise SystemExit(f"bench.py: no finished towncov runs under {scale_dir}/scale")
    first = next(iter(by_threads.values()))[0]["summary"]
    n_town, n_sites = first["townships"], first["sites"]
    checksums = {r["checksum"] for runs in by_threads.values() for r in runs}
    starts = [r["start"] for runs in by_threads.values() for r in runs]

    medians = {t: median_run(runs) for t, runs in by_threads.items()}
    t1 = medians.get(1)
    scaling = []
    for t, m in medians.items():
        cov, wall = m["phases"]["coverage"], m["wall_s"]
        row = {"threads": t, **m, "townships_per_s": n_town / wall, "stations_per_s": n_sites / wall}
        if t1:
            row["speedup_coverage"] = t1["phases"]["coverage"] / cov if cov > 0 else None
            row["speedup_e2e"] = t1["wall_s"] / wall
            row["efficiency_coverage"] = row["speedup_coverage"] / t if row["speedup_coverage"] else None
            row["efficiency_e2e"] = row["speedup_e2e"] / t
        scaling.append(row)

    ref_t = ref_threads if ref_threads in medians else max(medians)
    ref = medians[ref_t]
    ref_fracs = read_towncov_fracs(os.path.join(scale_dir, "scale", f"t{ref_t}-r1", "townships.csv"))
    comparators = [{
        "tool": "towncov", "variant": "exact (reference)", "threads": ref_t,
        "wall_s": ref["wall_s"], "coverage_s": ref["phases"]["coverage"],
        "ratio_e2e": 1.0, "ratio_coverage": 1.0, "max_dfrac": 0.0,
        "max_rss_mb": ref["max_rss_mb"], "cpu_s": ref["cpu_s"],
    }]
    for name, variant in TOWNCOV_COMPARATORS:
        run_dir = os.path.join(scale_dir, name)
        if not os.path.exists(os.path.join(run_dir, "time.json")):
            continue
        r = towncov_run(run_dir)
        comparators.append({
            "tool": "towncov", "variant": variant, "threads": r["summary"]["threads"],
            "wall_s": r["wall_s"], "coverage_s": r["phases"]["coverage"],
            "ratio_e2e": r["wall_s"] / ref["wall_s"],
            "ratio_coverage": r["phases"]["coverage"] / ref["phases"]["coverage"],
            "max_dfrac": max_difference(ref_fracs, read_towncov_fracs(os.path.join(run_dir, "townships.csv"))),
            "max_rss_mb": r["max_rss_mb"], "cpu_s": r["cpu_s"],
        })
    comparators += postgis_rows(os.path.join(scale_dir, "postgis"), ref, ref_fracs)
    for c in comparators:
        if c["max_dfrac"] is not None:
            c["agrees"] = c["max_dfrac"] <= TOLERANCE

    skipped = []
    skipped_file = os.path.join(scale_dir, "skipped.txt")
    if os.path.exists(skipped_file):
        with open(skipped_file, encoding="utf-8") as f:
            skipped = [line.strip() for line in f if line.strip()]
    return {
        "scale": scale, "scenario": first["scenario_file"], "map": first["map"],
        "metric_crs": first["metric_crs"], "townships": n_town, "sites": n_sites,
        "checksum": first["checksum"], "checksums_identical": len(checksums) == 1,
        "measured_from": time.strftime("%Y-%m-%d %H:%M", time.localtime(min(starts))),
        "reference_threads": ref_t, "scaling": scaling, "comparators": comparators,
        "skipped": skipped,
    }


POSTGIS_QUERIES = [
    ("natural", "natural query (GROUP BY, ST_Union)"),
    ("func-w0", "PARALLEL SAFE function, 0 workers"),
    ("func-w2", "PARALLEL SAFE function, 2 workers"),
]


def postgis_rows(pg_dir, ref, ref_fracs):
    rows = []
    if not os.path.isdir(pg_dir):
        return rows
    load_file = os.path.join(pg_dir, "load.json")
    if os.path.exists(load_file):
        load = read_json(load_file)
        rows.append({"tool": "PostGIS", "variant": "load (shp2pgsql, COPY, footprints, GiST)",
                     "threads": 1, "wall_s": load["end"] - load["start"], "coverage_s": None,
                     "ratio_e2e": None, "ratio_coverage": None, "max_dfrac": None})
    for name, label in POSTGIS_QUERIES:
        timing_file = os.path.join(pg_dir, name + ".json")
        if not os.path.exists(timing_file):
            continue
        timing = read_json(timing_file)
        wall = timing["end"] - timing["start"]
        workers = timing.get("workers_planned", 0)
        rows.append({
            "tool": "PostGIS", "variant": label, "threads": 1 + workers,
            "wall_s": wall, "coverage_s": wall,
            "ratio_e2e": wall / ref["wall_s"], "ratio_coverage": wall / ref["phases"]["coverage"],
            "max_dfrac": max_difference(ref_fracs, read_postgis_fracs(os.path.join(pg_dir, name + ".csv"))),
        })
    return rows


# ---- output -----------------------------------------------------------------
def fmt(value, spec):
    if value is None:
        return "-"
    if value == float("inf"):
        return "mismatch"
    return format(value, spec)


def headline(meta):
    m = meta["machine"]
    return (f"{meta['date']}, {meta['host']} ({m['cpu']}, {m['cores']} cores, {m['memory_gb']:.0f} GB), "
            f"towncov {meta['git']['rev']}{' (dirty)' if meta['git']['dirty'] else ''}, "
            f"{meta['compiler']['version']}, {meta['mode']} mode; load average "
            f"{m['loadavg_start']} at the start, {m.get('loadavg_end', '?')} at the end")


def tables(results):
    """The terminal / Markdown tables, as lines."""
    out = [headline(results["meta"]), ""]
    for s in results["scales"]:
        out.append(f"### {s['scale']}: {s['townships']:,} townships, {s['sites']:,} stations "
                   f"(runs from {s['measured_from']})")
        out.append("")
        out.append(f"towncov, exact engine; medians of repeats (CPU s: user + sys of the process; "
                   f"well under threads × wall means other processes took the cores); checksum "
                   f"{s['checksum']} ({'identical' if s['checksums_identical'] else 'DIFFERS'} at every thread count)")
        out.append("")
        out.append("| threads | runs | load s | place s | footprints s | coverage s | report s | end to end s "
                   "| CPU s | coverage speedup (eff.) | end-to-end speedup (eff.) | peak MB | townships/s "
                   "| stations/s |")
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
                   "| ---: |")
        for r in s["scaling"]:
            p = r["phases"]
            sc = f"{fmt(r.get('speedup_coverage'), '.2f')} ({fmt(r.get('efficiency_coverage'), '.0%')})"
            se = f"{fmt(r.get('speedup_e2e'), '.2f')} ({fmt(r.get('efficiency_e2e'), '.0%')})"
            out.append(f"| {r['threads']} | {r['repeats']} | {p['load']:.3f} | {p['place']:.3f} | "
                       f"{p['footprints']:.3f} | {p['coverage']:.3f} | {p['report']:.3f} | {r['wall_s']:.3f} | {r['cpu_s']:.2f} | {sc} | {se} | "
                       f"{r['max_rss_mb']:.0f} | {r['townships_per_s']:,.0f} | {r['stations_per_s']:,.0f} |")
        out.append("")
        out.append(f"Side by side on the same footprints (ratios: time / towncov exact at "
                   f"{s['reference_threads']} threads; agreement: largest per-township |Δ covered_frac|, "
                   f"must be ≤ {TOLERANCE:g})")
        out.append("")
        out.append("| tool | variant | threads | wall s | CPU s | × towncov end to end | × towncov coverage "
                   "| max \\|Δ covered_frac\\| | agrees |")
        out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for c in s["comparators"]:
            agrees = "-" if c["max_dfrac"] is None else ("yes" if c["agrees"] else "**NO**")
            out.append(f"| {c['tool']} | {c['variant']} | {c['threads']} | {c['wall_s']:.3f} | "
                       f"{fmt(c.get('cpu_s'), '.2f')} | "
                       f"{fmt(c['ratio_e2e'], '.1f')} | {fmt(c['ratio_coverage'], '.1f')} | "
                       f"{fmt(c['max_dfrac'], '.2e')} | {agrees} |")
        for line in s["skipped"]:
            out.append(f"\nNot run: {line}.")
        out.append("")
    return out


CSV_FIELDS = ["date", "host", "mode", "git_rev", "git_dirty", "compiler", "cflags", "libraries",
              "cpu", "cores", "scale", "townships", "sites", "tool", "variant", "threads", "repeats",
              "load_s", "place_s", "footprints_s", "coverage_s", "goal_s", "report_s", "wall_s",
              "speedup_coverage", "efficiency_coverage", "speedup_e2e", "efficiency_e2e",
              "max_rss_mb", "cpu_s", "townships_per_s", "stations_per_s", "ratio_e2e", "ratio_coverage",
              "max_dfrac"]


def csv_rows(results):
    meta = results["meta"]
    libs = "; ".join(f"{k} {v}" for k, v in meta["libraries"].items())
    common = {"date": meta["date"], "host": meta["host"], "mode": meta["mode"],
              "git_rev": meta["git"]["rev"], "git_dirty": "yes" if meta["git"]["dirty"] else "no",
              "compiler": meta["compiler"]["version"], "cflags": meta["compiler"]["cflags"],
              "libraries": libs, "cpu": meta["machine"]["cpu"], "cores": meta["machine"]["cores"]}
    for s in results["scales"]:
        base = dict(common, scale=s["scale"], townships=s["townships"], sites=s["sites"])
        for r in s["scaling"]:
            row = dict(base, tool="towncov", variant="exact", threads=r["threads"], repeats=r["repeats"],
                       wall_s=r["wall_s"], max_rss_mb=r["max_rss_mb"], cpu_s=r["cpu_s"],
                       townships_per_s=r["townships_per_s"], stations_per_s=r["stations_per_s"])
            row.update({p + "_s": r["phases"][p] for p in PHASES})
            for k in ("speedup_coverage", "efficiency_coverage", "speedup_e2e", "efficiency_e2e"):
                row[k] = r.get(k)
            yield row
        for c in s["comparators"][1:]:
            yield dict(base, tool=c["tool"], variant=c["variant"], threads=c["threads"], repeats=1,
                       wall_s=c["wall_s"], coverage_s=c["coverage_s"], ratio_e2e=c["ratio_e2e"],
                       ratio_coverage=c["ratio_coverage"], max_dfrac=c["max_dfrac"],
                       max_rss_mb=c.get("max_rss_mb"), cpu_s=c.get("cpu_s"))


def json_safe(value):
    """JSON has no infinity: a township set mismatch is written as null."""
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def write_outputs(results, prefix):
    with open(prefix + ".json", "w", encoding="utf-8") as f:
        json.dump(json_safe(results), f, indent=1, allow_nan=False)
        f.write("\n")
    with open(prefix + ".csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        for row in csv_rows(results):
            w.writerow({k: ("" if v is None else (f"{v:.6g}" if isinstance(v, float) else v))
                        for k, v in row.items()})
    with open(prefix + ".md", "w", encoding="utf-8") as f:
        f.write("\n".join(tables(results)))
    with open(prefix + "-scaling.dat", "w", encoding="utf-8") as f:
        for s in results["scales"]:  # one gnuplot data block per scale
            f.write(f"# {s['scale']}\n# threads speedup_cov eff_cov speedup_e2e eff_e2e\n")
            for r in s["scaling"]:
                if "speedup_e2e" in r:
                    f.write(f"{r['threads']} {r['speedup_coverage'] or 0:.4f} {r['efficiency_coverage'] or 0:.4f}"
                            f" {r['speedup_e2e']:.4f} {r['efficiency_e2e']:.4f}\n")
            f.write("\n\n")


def split_options(args):
    """--tmp, --meta and --prefix with their values, and the scales."""
    opts, scales = {}, []
    it = iter(args)
    for a in it:
        if a in ("--tmp", "--meta", "--prefix"):
            opts[a[2:]] = next(it)
        else:
            scales.append(a)
    return opts, scales


def cmd_report(args):
    opts, scales = split_options(args)
    meta = read_json(opts["meta"])
    results = {"meta": meta, "tolerance": TOLERANCE,
               "scales": [analyse_scale(opts["tmp"], s, meta["reference_threads"]) for s in scales]}
    print("\n".join(tables(results)))
    write_outputs(results, opts["prefix"])
    bad = [f"{s['scale']}: {c['tool']} {c['variant']} ({fmt(c['max_dfrac'], '.2e')})"
           for s in results["scales"] for c in s["comparators"] if c.get("agrees") is False]
    bad += [f"{s['scale']}: checksums differ between thread counts"
            for s in results["scales"] if not s["checksums_identical"]]
    for b in bad:
        print(f"bench: DISAGREEMENT {b}", file=sys.stderr)
    return 3 if bad else 0


# ---- the signal rasters (bench/raster.sh) ----------------------------------------
def raster_scale(tmp, scale):
    """A scale's runs DIR/<scale>/r<K>/ reduced to the median raster stage."""
    base = os.path.join(tmp, scale)
    runs = []
    for name in sorted(os.listdir(base)):
        summary = read_json(os.path.join(base, name, "summary.json"))
        timing = read_json(os.path.join(base, name, "time.json"))
        r = summary["raster"]
        runs.append({"seconds": r["seconds"], "cells_seconds": r.get("cells_seconds"),
                     "write_seconds": r.get("write_seconds"),
                     "finish_seconds": r.get("finish_seconds"),
                     "wall_s": timing["end"] - timing["start"],
                     "max_rss_mb": timing["max_rss_kb"] / 1024.0, "summary": summary, "raster": r})
    runs.sort(key=lambda x: x["seconds"])
    med = runs[(len(runs) - 1) // 2]  # the lower median: a run that happened
    r, summary = med["raster"], med["summary"]
    cells = r["width"] * r["height"]
    return {"scale": scale, "runs": len(runs), "townships": summary["townships"],
            "sites": summary["sites"], "resolution_m": r["resolution_m"],
            "width": r["width"], "height": r["height"], "cells": cells,
            "cells_in_townships": r["cells_in_townships"],
            "raster_s": med["seconds"], "raster_s_all": [x["seconds"] for x in runs],
            "cells_s": med["cells_seconds"], "write_s": med["write_seconds"],
            "finish_s": med["finish_seconds"], "cells_per_s": cells / med["seconds"],
            "wall_s": med["wall_s"], "max_rss_mb": max(x["max_rss_mb"] for x in runs),
            "threads": summary["threads"],
            "consistency_max": summary["raster_consistency"],
            "consistency_mean": r["consistency_mean"]}


def raster_table(results):
    out = [headline(results["meta"]), "",
           "| scale | cells (in townships) | threads | raster s (cells / writes alongside / COG copies)"
           " | cells/s | run s | peak MB | consistency max / mean | runs |",
           "| --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: |"]
    for s in results["scales"]:
        out.append(f"| {s['scale']} ({s['townships']:,} townships, {s['sites']:,} stations,"
                   f" {s['resolution_m']:g} m) | {s['cells']:,} ({s['cells_in_townships']:,})"
                   f" | {s['threads']} | {s['raster_s']:.1f} ({fmt(s['cells_s'], '.1f')} /"
                   f" {fmt(s['write_s'], '.1f')} / {fmt(s['finish_s'], '.1f')})"
                   f" | {s['cells_per_s'] / 1e6:.2f} M | {s['wall_s']:.1f} | {s['max_rss_mb']:.0f}"
                   f" | {100 * s['consistency_max']:.2f} % / {100 * s['consistency_mean']:.3f} %"
                   f" | {s['runs']} |")
    return out


def cmd_raster(args):
    opts, scales = split_options(args)
    results = {"meta": read_json(opts["meta"]),
               "scales": [raster_scale(opts["tmp"], s) for s in scales]}
    table = raster_table(results)
    print("\n".join(table))
    with open(opts["prefix"] + ".json", "w", encoding="utf-8") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    with open(opts["prefix"] + ".md", "w", encoding="utf-8") as f:
        f.write("\n".join(table) + "\n")
    here = os.path.dirname(os.path.abspath(__file__))
    for readme in (os.path.join(here, "README.md"),
                   os.path.join(os.path.dirname(here), "docs", "performance.md")):
        text = open(readme, encoding="utf-8").read()
        new = re.sub(r"(<!-- bench:raster:begin -->\n).*?(\n<!-- bench:raster:end -->)",
                     lambda m: m.group(1) + "\n".join(table) + m.group(2), text, flags=re.S)
        with open(readme, "w", encoding="utf-8") as f:
            f.write(new)
    return 0


def main(argv):
    commands = {"ini": cmd_ini, "json": cmd_json, "meta": cmd_meta, "meta-set": cmd_meta_set,
                "report": cmd_report, "raster": cmd_raster}
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
