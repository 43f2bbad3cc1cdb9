"""The triage decisions for one posting or a batch: category, request class, humanitarian
information type, district and destination, each with a confidence, a version and a reason.

Pure compute. Keyword rules (taxonomy), routing rules, the district locator, the gazetteer
and any learned models are handed in; a learned model's answer replaces the rule's when it
is more confident. Bad input never raises: it ends as "unknown" with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.classifier import MAX_CHARS, PLACEHOLDERS, LinearModel, Prediction, tokens
from domain.geo import DistrictLocator, Location
from domain.postings import IncomingPosting
from domain.taxonomy import NOT_ACTIONABLE, Taxonomy
from domain.triage import FieldDecision
from domain.triage_places import PlaceFinder, locate_points
from domain.triage_rules import RoutingRules

Analyzer = Callable[[Sequence[str]], list[list[str]]]
MODEL_FIELDS = ("category", "request_class", "info_type", "destination")
Hits = dict[str, list[str]]


@dataclass(frozen=True)
class Posted:
    """What triage looks at in a posting."""

    text: str
    lon: float | None = None
    lat: float | None = None
    place_bbox: tuple[float, float, float, float] | None = None
    place_name: str | None = None
    address: str | None = None
    account: str | None = None

    @classmethod
    def of(cls, item: IncomingPosting) -> Posted:
        return cls(
            item.text, item.lon, item.lat, item.place_bbox, item.place_name, item.address,
            item.account,
        )  # fmt: skip


@dataclass
class TriageEngine:
    taxonomy: Taxonomy
    rules: RoutingRules
    locator: DistrictLocator
    places: PlaceFinder
    models: Mapping[str, LinearModel] = field(default_factory=dict)
    analyzer: Analyzer | None = None

    def decide(self, posted: Posted) -> dict[str, FieldDecision]:
        return self.decide_many([posted])[0]

    def decide_many(self, posteds: Sequence[Posted]) -> list[dict[str, FieldDecision]]:
        """Decide a batch: models score all texts at once, points are located at once."""
        words = [tokens(p.text) for p in posteds]
        keywords = self.analyzer([p.text for p in posteds]) if self.analyzer else words
        batch = {n: m.predict_many(words) for n, m in self.models.items()}
        points = {
            i: (p.lon, p.lat)
            for i, p in enumerate(posteds)
            if p.lon is not None and p.lat is not None
        }
        located = dict(zip(points, locate_points(self.locator, list(points.values())), strict=True))
        return [
            self._decide(p, words[i], keywords[i], _row(batch, i), located.get(i))
            for i, p in enumerate(posteds)
        ]

    def _decide(
        self,
        posted: Posted,
        words: list[str],
        keywords: list[str],
        preds: Mapping[str, Prediction],
        point: Location | None,
    ) -> dict[str, FieldDecision]:
        has_words = any(w not in PLACEHOLDERS for w in words)
        hits = self.taxonomy.hits(keywords)
        out: dict[str, FieldDecision] = {}
        out["category"] = self._better(self._category(hits["c"], has_words), preds.get("category"))
        out["request_class"] = self._better(
            self._request_class(hits["r"], out["category"]), preds.get("request_class")
        )
        out["info_type"] = self._better(
            self._info_type(hits["i"], has_words), preds.get("info_type")
        )
        out["district"] = self._district(posted, words, point)
        out["destination"] = self._better(self._destination(posted, out), preds.get("destination"))
        return out

    @staticmethod
    def _better(rule: FieldDecision, pred: Prediction | None) -> FieldDecision:
        if pred is None or pred.label is None or pred.confidence <= rule.confidence:
            return rule
        return FieldDecision(pred.label, pred.confidence, pred.reason.removeprefix("model "), (
            f"learned model, {pred.confidence:.0%} (rules said {rule.value or 'unknown'})"
        ))  # fmt: skip

    @property
    def _tax(self) -> str:
        return f"taxonomy@{self.taxonomy.version}"

    def _category(self, hits: Hits, has_words: bool) -> FieldDecision:
        if not has_words:
            return FieldDecision(None, 0.0, self._tax, "no words: empty, emoji, URLs or mentions")
        if not hits:
            return FieldDecision(None, 0.0, self._tax, "no category keyword")
        scores = {code: len(set(found)) for code, found in hits.items()}
        for code in list(scores):
            category = self.taxonomy.category(code)
            if category is not None and category.parent in hits:
                scores[code] += scores[category.parent]
        ranked = sorted(scores, key=lambda c: (-scores[c], c == NOT_ACTIONABLE, c))
        best = ranked[0]
        margin = scores[best] - (scores[ranked[1]] if len(ranked) > 1 else 0)
        confidence = min(0.95, 0.45 + 0.15 * margin + 0.05 * scores[best])
        found = ", ".join(dict.fromkeys(hits[best]))
        return FieldDecision(best, confidence, self._tax, f"keywords: {found}")

    def _request_class(self, hits: Hits, category: FieldDecision) -> FieldDecision:
        if category.value == NOT_ACTIONABLE:
            return FieldDecision(NOT_ACTIONABLE, category.confidence, self._tax, "not actionable")
        for name in self.taxonomy.class_order:
            if name in hits:
                found = ", ".join(dict.fromkeys(hits[name]))
                confidence = min(0.9, 0.6 + 0.1 * len(hits[name]))
                return FieldDecision(name, confidence, self._tax, f"keywords: {found}")
        if category.value is None:
            return FieldDecision(None, 0.0, self._tax, "no category and no request keyword")
        return FieldDecision("simple", 0.5, self._tax, "no review, policy or emergency keyword")

    def _info_type(self, hits: Hits, has_words: bool) -> FieldDecision:
        if not has_words:
            return FieldDecision(None, 0.0, self._tax, "no words")
        if not hits:
            return FieldDecision(None, 0.0, self._tax, "no crisis keyword and no info-type model")
        best = max(hits, key=lambda k: (len(hits[k]), k))
        found = ", ".join(dict.fromkeys(hits[best]))
        return FieldDecision(best, min(0.8, 0.5 + 0.1 * len(hits[best])), self._tax, found)

    def _district(self, posted: Posted, words: list[str], point: Location | None) -> FieldDecision:
        reasons: list[str] = []
        if point is not None:
            if point.district is not None:
                return _located(point, "geo:point")
            reasons.append(point.reason)
        if posted.place_bbox is not None:
            loc = self.locator.explain_bbox(*posted.place_bbox)
            if loc.district is not None:
                return _located(loc, "geo:bbox")
            reasons.append(loc.reason)
        extra = " ".join(filter(None, (posted.place_name, posted.address)))
        if not extra and not self.places.may_name_a_place(words):
            loc = Location.unknown("no known place name" if words else "no text")
        else:
            loc = self.places.locate(f"{posted.text[:MAX_CHARS]} {extra}")
        if loc.district is not None:
            return _located(loc, "gazetteer")
        reasons.append(loc.reason)
        return FieldDecision(None, 0.0, "geo", "; ".join(reasons))

    def _destination(self, posted: Posted, out: Mapping[str, FieldDecision]) -> FieldDecision:
        category, klass = out["category"], out["request_class"]
        route = self.rules.route(
            category.value or "unknown", klass.value or "simple", posted.account,
            out["district"].value,
        )  # fmt: skip
        # as sure as the rule and the decisions it looked at (a rule on neither stands alone)
        inputs = min((out[name].confidence for name in route.uses), default=1.0)
        return FieldDecision(
            route.destination, route.confidence * inputs, f"rules@{self.rules.version}",
            route.reason,
        )  # fmt: skip


def _row(batch: Mapping[str, list[Prediction]], i: int) -> dict[str, Prediction]:
    return {name: preds[i] for name, preds in batch.items()}


def _located(loc: Location, version: str) -> FieldDecision:
    assert loc.district is not None
    return FieldDecision(loc.district.code, loc.confidence, version, loc.reason)


def unknown_decisions(reason: str) -> dict[str, FieldDecision]:
    """Every field unknown, for a posting the engine could not look at."""
    names = ("category", "request_class", "info_type", "district", "destination")
    return {n: FieldDecision(None, 0.0, "none", reason) for n in names}


def summary(decisions: Mapping[str, FieldDecision]) -> dict[str, Any]:
    return {k: d.value for k, d in decisions.items()}
