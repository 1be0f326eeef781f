#!/usr/bin/env python3
"""ROC AUC and precision/recall at a threshold, from per-sample scores.
usage: anomaly_metrics.py NAME SCORES.csv LABELS.npy [--results FILE --seed S --trained LINE]
       anomaly_metrics.py --summary FILE
SCORES.csv is what `score` writes after `calibrate`: index,score,anomaly
(the anomaly column is score > the stored threshold). --results appends
name,seed,roc_auc,precision,recall,epochs,best_epoch to FILE (the epochs from
--trained, `train`'s summary line). --summary prints FILE's runs side by side
per seed, each side's mean and sample standard deviation, and the aec -
pytorch difference over the seeds both sides ran (mean, sd, 95% interval).
Also importable: roc_auc(scores, labels), report(name, scores, labels, flagged)."""
import sys

import numpy as np


def roc_auc(scores, labels):
    """Probability that an anomaly scores above a normal sample (Mann-Whitney U,
    ties counted half) -- the area under the ROC curve."""
    scores, labels = np.asarray(scores, dtype=np.float64), np.asarray(labels).astype(bool)
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    s = scores[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos, neg = labels.sum(), (~labels).sum()
    return (ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg)


def report(name, scores, labels, flagged):
    labels, flagged = np.asarray(labels).astype(bool), np.asarray(flagged).astype(bool)
    tp = int((flagged & labels).sum())
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int(labels.sum()), 1)
    auc = roc_auc(scores, labels)
    print(f"{name}: roc_auc={auc:.4f} precision={precision:.4f} recall={recall:.4f} "
          f"flagged={int(flagged.sum())}/{len(labels)}")
    return auc, precision, recall


def mean_sd(v):
    v = np.asarray(v, dtype=np.float64)
    return v.mean(), (v.std(ddof=1) if len(v) > 1 else 0.0)


def t95(dof):
    """The two-sided 95% quantile of Student's t (scipy when there, else a table)."""
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, dof))
    except ImportError:
        table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
        return table[dof - 1] if dof <= len(table) else 2.0


def add_result(path, name, seed, metrics, epochs, best):
    with open(path, "a") as f:
        f.write(f"{name},{seed},{metrics[0]:.6f},{metrics[1]:.6f},{metrics[2]:.6f},{epochs},{best}\n")


def summary(path):
    runs = {}  # name -> {seed: (auc, precision, recall, epochs, best_epoch)}
    for line in open(path):
        name, seed, auc, p, r, ep, best = line.strip().split(",")
        runs.setdefault(name, {})[int(seed)] = (float(auc), float(p), float(r), ep, best)
    names = sorted(runs)  # aec, pytorch
    seeds = sorted(set().union(*(runs[n] for n in names)))
    cell = lambda v: f"{v[0]:.4f} ({v[3]}/{v[4]})" if v else "-"
    print("seed  " + "".join(f"{n + ' roc_auc (epochs/best)':>34}" for n in names))
    for s in seeds:
        print(f"{s:<4}  " + "".join(f"{cell(runs[n].get(s)):>34}" for n in names))
    for n in names:
        (a, sa), (p, sp), (r, sr) = (mean_sd([v[i] for v in runs[n].values()]) for i in range(3))
        print(f"{n}: roc_auc {a:.4f} ± {sa:.4f}  precision {p:.4f} ± {sp:.4f}  recall {r:.4f} ± {sr:.4f}"
              f"  ({len(runs[n])} seeds, mean ± sd)")
    if len(names) == 2:
        both = [s for s in seeds if all(s in runs[n] for n in names)]
        d, sd = mean_sd([runs[names[0]][s][0] - runs[names[1]][s][0] for s in both])
        half = t95(len(both) - 1) * sd / np.sqrt(len(both)) if len(both) > 1 else float("nan")
        print(f"{names[0]} - {names[1]}: roc_auc {d:+.4f} ± {sd:.4f} over {len(both)} seeds, 95% interval "
              f"[{d - half:+.4f}, {d + half:+.4f}] (same initial weights, split and batch order per seed)")


if __name__ == "__main__":
    import argparse
    if sys.argv[1:2] == ["--summary"]:
        summary(sys.argv[2])
        sys.exit(0)
    ap = argparse.ArgumentParser()
    for a in ("name", "scores", "labels"):
        ap.add_argument(a)
    for a in ("--results", "--seed", "--trained"):
        ap.add_argument(a)
    a = ap.parse_args()
    rows = np.loadtxt(a.scores, delimiter=",", skiprows=1)
    metrics = report(f"{a.name} seed={a.seed}" if a.seed else a.name, rows[:, 1], np.load(a.labels), rows[:, 2])
    if a.results:
        import re
        ep = re.search(r"epochs=(\d+)", a.trained or "")
        best = re.search(r"best_epoch=(\d+)", a.trained or "")
        add_result(a.results, a.name, a.seed, metrics, ep.group(1) if ep else "?", best.group(1) if best else "?")
