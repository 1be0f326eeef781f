#!/usr/bin/env python3
"""ROC AUC and precision/recall at a threshold, from per-sample scores.
usage: anomaly_metrics.py NAME SCORES.csv LABELS.npy
SCORES.csv is what `score` writes after `calibrate`: index,score,anomaly
(the anomaly column is score > the stored threshold). Also importable:
roc_auc(scores, labels), report(name, scores, labels, flagged)."""
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
    return auc


if __name__ == "__main__":
    name, path, labels = sys.argv[1], sys.argv[2], np.load(sys.argv[3])
    rows = np.loadtxt(path, delimiter=",", skiprows=1)
    report(name, rows[:, 1], labels, rows[:, 2])
