#!/usr/bin/python3
"""Merges the sides' JSON lines into bench/results.json and prints them as a table.

    report.py --work <dir> --out <results.json> [--peers "<entry> ..."] <entry>...

Reads <dir>/out/<entry>.ours.json and <dir>/out/<entry>.reference.json (one JSON line each, as
printed by Distributed.Bench and reference.py) and, for the entries named in --peers (those with an
ML.NET peer), <dir>/out/<entry>.mlnet.json (printed by Distributed.Bench.MlNet) as the row's `peer`.
A side that failed or printed nothing is reported with null figures (a failed peer as a `peer`
with null figures and FAILED notes); the exit status is then 1. The output is written atomically
(temp file + rename).
"""

import argparse
import json
import os
import sys
import tempfile


def read_side(work, entry, side):
    path = os.path.join(work, "out", f"{entry}.{side}.json")
    try:
        with open(path, encoding="utf-8") as file:
            lines = [line for line in file.read().splitlines() if line.strip()]
        result = json.loads(lines[-1])
    except (OSError, IndexError, json.JSONDecodeError) as error:
        print(f"report: {entry}: no result from {side} ({path}: {error})", file=sys.stderr)
        return None
    if result.get("name") != entry:
        print(f"report: {entry}: {path} is for '{result.get('name')}'", file=sys.stderr)
        return None
    return result


def figure(side, key):
    return None if side is None else side.get(key)


def peer_row(ours, peer, expected):
    """The row's `peer`: ML.NET's figures and the ratio of ours to them; None for an entry without an ML.NET peer."""
    if not expected:
        return None
    if peer is None:
        return {"name": "ML.NET", "seconds": None, "quality": None, "ratio": None, "notes": "FAILED: no result (see the run's log)"}
    ours_s, peer_s = figure(ours, "seconds"), peer.get("seconds")
    notes = peer.get("notes") or ""
    if ours and ours.get("quality_metric") != peer.get("quality_metric"):
        notes += f"; WARNING: quality metrics differ ({ours.get('quality_metric')} vs {peer.get('quality_metric')})"
    return {
        "name": peer.get("peer") or "ML.NET",
        "seconds": peer_s,
        "quality": peer.get("quality"),
        "ratio": ours_s / peer_s if ours_s is not None and peer_s else None,
        "notes": notes,
    }


def merge(entry, ours, reference, config, peer=None, peer_expected=False):
    if ours is not None and ours.get("skipped"):
        # Nothing measured (e.g. no CUDA device): no figure, and no reference run to compare with.
        return {
            "name": entry,
            "ours_s": None,
            "reference_s": None,
            "ratio": None,
            "ours_quality": None,
            "reference_quality": None,
            "quality_metric": None,
            "ari_ours_vs_reference": None,
            "peer": None,
            "skipped": ours["skipped"],
            "notes": f"{config.get('mode')}: SKIPPED: {ours['skipped']}",
        }

    ours_s, reference_s = figure(ours, "seconds"), figure(reference, "seconds")
    metric = figure(ours, "quality_metric") or figure(reference, "quality_metric")
    notes = [f"{config.get('mode')}: {config.get('rows')} rows, {figure(ours, 'threads') or figure(reference, 'threads')} threads"]
    for name, side in (("ours", ours), ("reference", reference)):
        if side is None:
            notes.append(f"{name}: FAILED")
        elif side.get("notes"):
            notes.append(f"{name}: {side['notes']}")
    if ours and reference and ours.get("quality_metric") != reference.get("quality_metric"):
        notes.append(f"WARNING: quality metrics differ ({ours.get('quality_metric')} vs {reference.get('quality_metric')})")
    return {
        "name": entry,
        "ours_s": ours_s,
        "reference_s": reference_s,
        "ratio": ours_s / reference_s if ours_s is not None and reference_s else None,
        "ours_quality": figure(ours, "quality"),
        "reference_quality": figure(reference, "quality"),
        "quality_metric": metric,
        # Clustering entries: agreement of the two labelings (the reference side computes it from ours).
        "ari_ours_vs_reference": figure(reference, "ari_ours_vs_reference"),
        "notes": "; ".join(notes),
        # ML.NET on the same inputs and threads (null where the entry has no ML.NET peer).
        "peer": peer_row(ours, peer, peer_expected),
    }


def write_atomically(path, rows):
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=directory, prefix=".results-", suffix=".tmp", delete=False, encoding="utf-8") as file:
        json.dump(rows, file, indent=2, ensure_ascii=False)
        file.write("\n")
        temporary = file.name
    os.replace(temporary, path)


def number(value, digits):
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return f"{value:.{digits}f}"


def print_table(rows):
    header = ["name", "ours_s", "reference_s", "ratio", "mlnet_s", "ratio_mlnet",
              "ours_quality", "reference_quality", "mlnet_quality", "quality_metric"]

    def peer_cell(row, key, digits):
        peer = row.get("peer")
        if peer is None:
            return "—"
        if peer["seconds"] is None:
            return "FAILED"
        return number(peer[key], digits)

    body = [
        [
            row["name"],
            number(row["ours_s"], 3),
            number(row["reference_s"], 3),
            number(row["ratio"], 2),
            peer_cell(row, "seconds", 3),
            peer_cell(row, "ratio", 2),
            number(row["ours_quality"], 4),
            number(row["reference_quality"], 4),
            peer_cell(row, "quality", 4),
            row["quality_metric"] or ("skipped" if row.get("skipped") else "—"),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def format_line(cells):
        # Name and metric left-aligned, figures right-aligned.
        return "  ".join(
            cell.ljust(width) if i in (0, len(cells) - 1) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths))
        ).rstrip()

    print(format_line(header))
    print(format_line(["-" * width for width in widths]))
    for line in body:
        print(format_line(line))
    print()
    for row in rows:
        print(f"{row['name']}: {row['notes']}")
        if row.get("peer"):
            print(f"{row['name']}: {row['peer']['name']}: {row['peer']['notes']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--peers", default="", help="space-separated entries that have an ML.NET side")
    parser.add_argument("entries", nargs="+")
    args = parser.parse_args()

    with open(os.path.join(args.work, "config.json"), encoding="utf-8") as file:
        config = json.load(file)
    peers = set(args.peers.split())
    rows = []
    failed = False
    for entry in args.entries:
        ours = read_side(args.work, entry, "ours")
        skipped = ours is not None and bool(ours.get("skipped"))
        reference = None if skipped else read_side(args.work, entry, "reference")
        peer_expected = entry in peers and not skipped
        peer = read_side(args.work, entry, "mlnet") if peer_expected else None
        # A peer that fails counts like any other side: the row keeps the other sides' figures.
        failed |= ours is None or (reference is None and not skipped) or (peer_expected and peer is None)
        rows.append(merge(entry, ours, reference, config, peer, peer_expected))
    write_atomically(args.out, rows)
    print_table(rows)
    print(f"\nwrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
