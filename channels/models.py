"""Learned triage models: train (scikit-learn), evaluate, and keep versioned artefacts.

Artefacts live under ``<data dir>/models/<name>/v<N>.npz`` (weights, bias, classes) with a
``v<N>.json`` beside it (when, from what data, figures). Versions only grow; every decision
event names the version that made it (``name@vN``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from domain.classifier import FEATURES_VERSION, LinearModel, build_vocabulary, feature_rows

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class ModelError(ValueError):
    """A model name, file or training table is unusable; the message says why."""


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise ModelError(f"model name {name!r}: use lower-case letters, digits, - and _")
    return name


def train(
    name: str,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    min_count: int = 1,
    c: float = 4.0,
    balanced: bool = True,
) -> LinearModel:
    """Fit a logistic-regression model over :func:`domain.classifier.feature_rows`."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    if len(texts) != len(labels) or not texts:
        raise ModelError("training needs the same, non-zero number of texts and labels")
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ModelError(f"training needs at least two labels, found {classes}")
    vocabulary = build_vocabulary(texts, min_count)
    indptr, indices, data = feature_rows(texts, vocabulary)
    shape = (len(texts), len(vocabulary))
    x = csr_matrix((data, indices, indptr), shape=shape, dtype=np.float64)
    fit = LogisticRegression(
        C=c, max_iter=2000, class_weight="balanced" if balanced else None, solver="lbfgs"
    ).fit(x, list(labels))
    coef = np.asarray(fit.coef_, dtype=np.float32)
    bias = np.asarray(fit.intercept_, dtype=np.float32)
    if coef.shape[0] == 1:  # binary: softmax over (-s/2, s/2) is the logistic function
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    return LinearModel(
        name=name,
        version="unsaved",
        classes=tuple(str(c) for c in fit.classes_),
        vocabulary=vocabulary,
        weights=np.ascontiguousarray(coef.T),
        bias=bias,
    )


@dataclass
class ModelStore:
    """Versioned model artefacts in one folder."""

    root: Path

    def versions(self, name: str) -> list[int]:
        folder = self.root / check_name(name)
        found = (re.fullmatch(r"v(\d+)\.npz", p.name) for p in folder.glob("v*.npz"))
        return sorted(int(m.group(1)) for m in found if m)

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.versions(p.name))

    def save(self, model: LinearModel, about: dict[str, Any]) -> LinearModel:
        folder = self.root / check_name(model.name)
        folder.mkdir(parents=True, exist_ok=True)
        version = f"v{(self.versions(model.name) or [0])[-1] + 1}"
        np.savez_compressed(
            folder / f"{version}.npz",
            weights=model.weights,
            bias=model.bias,
            classes=np.array(model.classes),
            vocabulary=np.array(sorted(model.vocabulary, key=model.vocabulary.__getitem__)),
        )
        meta = {
            **about,
            "name": model.name,
            "version": version,
            "features": FEATURES_VERSION,
            "n_features": len(model.vocabulary),
            "classes": list(model.classes),
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (folder / f"{version}.json").write_text(json.dumps(meta, indent=1), "utf-8")
        return LinearModel(
            model.name, version, model.classes, model.vocabulary, model.weights, model.bias
        )

    def load(self, name: str, version: int | None = None) -> LinearModel:
        have = self.versions(name)
        if not have:
            raise ModelError(f"no model named {name!r} in {self.root}; train one first")
        number = version if version is not None else have[-1]
        if number not in have:
            raise ModelError(f"model {name!r} has no version v{number} (have {have})")
        path = self.root / name / f"v{number}.npz"
        meta = json.loads(path.with_suffix(".json").read_text("utf-8"))
        if meta.get("features") != FEATURES_VERSION:
            raise ModelError(f"{path}: trained on features {meta.get('features')!r}; retrain")
        with np.load(path, allow_pickle=False) as npz:
            return LinearModel(
                name=name,
                version=f"v{number}",
                classes=tuple(str(c) for c in npz["classes"]),
                vocabulary={str(f): i for i, f in enumerate(npz["vocabulary"])},
                weights=np.ascontiguousarray(npz["weights"], dtype=np.float32),
                bias=np.asarray(npz["bias"], dtype=np.float32),
            )

    def load_latest(self, names: Sequence[str]) -> dict[str, LinearModel]:
        """Those of ``names`` that have a trained version (others are simply absent)."""
        return {n: self.load(n) for n in names if self.versions(n)}


def digest(texts: Sequence[str], labels: Sequence[str]) -> str:
    h = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        h.update(f"{text}\x00{label}\x01".encode())
    return h.hexdigest()[:16]


def evaluate(model: LinearModel, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
    from sklearn.metrics import precision_recall_fscore_support as prfs

    predicted = [p.label or "" for p in model.predict_many(texts)]
    classes = sorted(set(labels) | set(predicted))
    precision, recall, f1, support = prfs(labels, predicted, labels=classes, zero_division=0)
    return {
        "model": model.label,
        "rows": len(labels),
        "accuracy": round(float(accuracy_score(labels, predicted)), 4),
        "macro_f1": round(float(f1_score(labels, predicted, average="macro", zero_division=0)), 4),
        "per_class": {
            c: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        },
        "labels": classes,
        "confusion": confusion_matrix(labels, predicted, labels=classes).tolist(),
    }
