"""The triage decisions for one posting or a batch: category, request class, humanitarian
information type, district and destination, each with a confidence, a version and a reason.

Pure compute. Keyword rules (taxonomy), routing rules, the district locator, the gazetteer
and any learned models are handed in; a learned model's answer replaces the rule's when it
is more confident. Bad input never raises: it ends as "unknown" with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.classifier import MAX_CHARS, PLACEHOLDERS, LinearModel, lowered, tokens_of
from domain.collector import collector_paused
from domain.geo import DistrictLocator, Location
from domain.postings import IncomingPosting
from domain.taxonomy import NOT_ACTIONABLE, Taxonomy
from domain.triage import FieldDecision
from domain.triage_places import PlaceFinder, locate_points
from domain.triage_rules import RoutingRules

Analyzer = Callable[[Sequence[str]], list[list[str]]]
MODEL_FIELDS = ("category", "request_class", "info_type", "destination")
Hits = dict[str, list[str]]
_T = TypeVar("_T")
# the keyword rules' category, request class and information type, and the class keywords
_Keywords = tuple[FieldDecision, FieldDecision, FieldDecision, Hits]
_CHUNK = 8_192  # texts per matrix product of a learned model
_NO_PLACE = FieldDecision(None, 0.0, "geo", "no known place name")
_NO_TEXT = FieldDecision(None, 0.0, "geo", "no text")


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
    _memo: _Memo = field(default_factory=lambda: _Memo(None, None), repr=False, compare=False)

    def decide(self, posted: Posted) -> dict[str, FieldDecision]:
        return self.decide_many([posted])[0]

    def decide_many(self, posteds: Sequence[Posted]) -> list[dict[str, FieldDecision]]:
        """Decide a batch: models score all texts at once, points are located at once.

        Each text is normalised once (its tokens and the gazetteer share it), and what only
        depends on a few values is remembered: the keyword decisions per set of keywords
        found, the destination per (category, class, account, district)."""
        memo = self._memo
        if memo.taxonomy is not self.taxonomy or memo.rules is not self.rules:
            memo = self._memo = _Memo(self.taxonomy, self.rules)
        with collector_paused(len(posteds)):
            return self._decide_batch(memo, posteds)

    def _decide_batch(
        self, memo: _Memo, posteds: Sequence[Posted]
    ) -> list[dict[str, FieldDecision]]:
        lows = [lowered(p.text) for p in posteds]
        words = [tokens_of(low) for low in lows]
        joined = [" ".join(w) for w in words]
        keywords = joined
        if self.analyzer:
            keywords = [" ".join(k) for k in self.analyzer([p.text for p in posteds])]
        batch = [(n, m.label, *_top_many(m, words)) for n, m in self.models.items()]
        points = [i for i, p in enumerate(posteds) if p.lon is not None and p.lat is not None]
        located = dict(zip(points, locate_points(
            self.locator, [(posteds[i].lon, posteds[i].lat) for i in points]  # type: ignore[misc]
        ), strict=True))  # fmt: skip
        return [
            self._decide(memo, p, lows[i], words[i], joined[i], keywords[i],
                         [(n, v, labels[i], confs[i]) for n, v, labels, confs in batch],
                         located.get(i))
            for i, p in enumerate(posteds)
        ]  # fmt: skip

    def _decide(
        self,
        memo: _Memo,
        posted: Posted,
        low: str,
        words: list[str],
        joined: str,
        keywords: str,
        preds: list[tuple[str, str, str | None, float]],
        point: Location | None,
    ) -> dict[str, FieldDecision]:
        has_words = not PLACEHOLDERS.issuperset(words)
        key = (self.taxonomy.lexicon.found(keywords), has_words)
        decided = memo.keywords.get(key)
        if decided is None:
            decided = memo.keep(memo.keywords, key, self._keyword_decisions(key[0], has_words))
        category, klass, info, class_hits = decided
        if preds:
            out = {"category": category, "info_type": info}
            for name, version, label, confidence in preds:
                if name in out:
                    out[name] = memo.better(out[name], label, confidence, version)
            if out["category"] is not category:  # the class follows the final category
                klass = self._request_class(class_hits, out["category"])
            out = {
                "category": out["category"],
                "request_class": klass,
                "info_type": out["info_type"],
            }
            for name, version, label, confidence in preds:
                if name == "request_class":
                    out[name] = memo.better(klass, label, confidence, version)
        else:
            out = {"category": category, "request_class": klass, "info_type": info}
        out["district"] = self._district(posted, low, words, joined, point)
        out["destination"] = self._destination(memo, posted.account, out)
        for name, version, label, confidence in preds:
            if name == "destination":
                out[name] = memo.better(out[name], label, confidence, version)
        return out

    def _keyword_decisions(self, found: tuple[str, ...], has_words: bool) -> _Keywords:
        hits = self.taxonomy.grouped(found)
        category = self._category(hits["c"], has_words)
        klass = self._request_class(hits["r"], category)
        return category, klass, self._info_type(hits["i"], has_words), hits["r"]

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

    def _district(
        self, posted: Posted, low: str, words: list[str], joined: str, point: Location | None
    ) -> FieldDecision:
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
        if extra:
            loc = self.places.locate(f"{posted.text[:MAX_CHARS]} {extra}")
        elif not self.places.may_name_a_place_joined(joined):
            if not reasons:
                return _NO_PLACE if words else _NO_TEXT
            loc = Location.unknown("no known place name" if words else "no text")
        else:
            loc = self.places.locate_lowered(low)  # the same as locate(text[:MAX_CHARS] + " ")
        if loc.district is not None:
            return _located(loc, "gazetteer")
        reasons.append(loc.reason)
        return FieldDecision(None, 0.0, "geo", "; ".join(reasons))

    def _destination(
        self, memo: _Memo, account: str | None, out: Mapping[str, FieldDecision]
    ) -> FieldDecision:
        category, klass, district = out["category"], out["request_class"], out["district"].value
        key = (category.value, category.confidence, klass.value, klass.confidence, account,
               district)  # fmt: skip
        known = memo.routes.get(key)
        if known is not None:
            return known
        route = self.rules.route(
            category.value or "unknown", klass.value or "simple", account, district
        )
        # as sure as the rule and the decisions it looked at (a rule on neither stands alone)
        inputs = min((out[name].confidence for name in route.uses), default=1.0)
        decision = FieldDecision(
            route.destination, route.confidence * inputs, f"rules@{self.rules.version}",
            route.reason,
        )  # fmt: skip
        return memo.keep(memo.routes, key, decision)


class _Memo:
    """What the engine remembers for one taxonomy and one set of routing rules (bounded:
    a full table starts again, so a long run cannot grow memory without end)."""

    LIMIT = 50_000

    def __init__(self, taxonomy: Taxonomy | None, rules: RoutingRules | None) -> None:
        self.taxonomy, self.rules = taxonomy, rules
        self.keywords: dict[Any, _Keywords] = {}
        self.routes: dict[Any, FieldDecision] = {}
        self.models: dict[Any, FieldDecision] = {}

    def keep(self, table: dict[Any, _T], key: Any, value: _T) -> _T:
        if len(table) >= self.LIMIT:
            table.clear()
        table[key] = value
        return value

    def better(
        self, rule: FieldDecision, label: str | None, confidence: float, version: str
    ) -> FieldDecision:
        """The learned model's answer when it is more confident than the rule's."""
        if label is None or confidence <= rule.confidence:
            return rule
        key = (label, confidence, version, rule.value)
        known = self.models.get(key)
        if known is None:
            reason = f"learned model, {confidence:.0%} (rules said {rule.value or 'unknown'})"
            known = self.keep(self.models, key, FieldDecision(label, confidence, version, reason))
        return known


def _top_many(
    model: LinearModel, words: Sequence[list[str]]
) -> tuple[list[str | None], list[float]]:
    labels: list[str | None] = []
    confidences: list[float] = []
    for start in range(0, len(words), _CHUNK):
        got = model.top_many(words[start : start + _CHUNK])
        labels += got[0]
        confidences += got[1]
    return labels, confidences


def _located(loc: Location, version: str) -> FieldDecision:
    assert loc.district is not None
    return FieldDecision(loc.district.code, loc.confidence, version, loc.reason)


def unknown_decisions(reason: str) -> dict[str, FieldDecision]:
    """Every field unknown, for a posting the engine could not look at."""
    names = ("category", "request_class", "info_type", "district", "destination")
    return {n: FieldDecision(None, 0.0, "none", reason) for n in names}


def summary(decisions: Mapping[str, FieldDecision]) -> dict[str, Any]:
    return {k: d.value for k, d in decisions.items()}
