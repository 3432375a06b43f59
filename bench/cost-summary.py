#!/usr/bin/env python3
"""Summarizes bench/device-cost.sh's rounds: per cell (build, TLS version, concurrency), fleetsim's
and the C client's CPU per handshake over the rounds, the median of the per-round ratios and the ratio
of the two lowest rounds, each against the 1.15x target. Input lines: BUILD TLS CONC FLEETSIM_US C_US."""
import math
import statistics
import sys

TARGET = 1.15


def main(path: str) -> None:
    cells: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    with open(path) as lines:
        for line in lines:
            build, version, concurrency, fleetsim, c = line.split()
            pair = (float(fleetsim), float(c))
            if all(math.isfinite(x) and x > 0 for x in pair):
                cells.setdefault((build, version, concurrency), []).append(pair)
    print(f"  {'build':6} {'TLS':3} {'conc':>4} | {'fleetsim min–max':>15} {'C min–max':>13} | "
          f"{'ratios':>11} {'median':>6} {'best':>5} | verdict")
    for (build, version, concurrency), pairs in cells.items():
        fleetsim = [f for f, _ in pairs]
        c = [x for _, x in pairs]
        ratios = [f / x for f, x in pairs]
        median = statistics.median(ratios)
        best = min(fleetsim) / min(c)
        verdict = "within 1.15x" if max(median, best) <= TARGET else (
            "over 1.15x" if min(median, best) > TARGET else "at the edge (one estimate over)")
        print(f"  {build:6} {version:3} {concurrency:>4} | {min(fleetsim):7.0f}–{max(fleetsim):<7.0f} "
              f"{min(c):6.0f}–{max(c):<6.0f} | {min(ratios):4.2f}–{max(ratios):<4.2f}  {median:6.2f} {best:5.2f} | "
              f"{verdict} ({len(pairs)} rounds)")


if __name__ == "__main__":
    main(sys.argv[1])
