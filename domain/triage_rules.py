"""Routing rules the city edits as data (``triage_rules.json``): category, request class and
the account a posting reached → a city department (``dept:CODE``) or the district office
(``gu:SIG_CD``). Pure: the parsed document is handed in. The first matching rule wins."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.deadline_policy import REQUEST_CLASSES
from domain.errors import InvalidInputError

DISTRICT = "district"
_CONDITIONS = ("category", "request_class", "account", "district_known")


class RulesError(InvalidInputError, ValueError):
    """The routing rules are malformed; the message says which rule and why."""


@dataclass(frozen=True)
class Route:
    destination: str | None
    confidence: float
    reason: str
    rule: int
    uses: tuple[str, ...] = ()  # the decisions the matching rule looked at


@dataclass(frozen=True)
class Rule:
    number: int
    when: Mapping[str, Any]
    to: str
    confidence: float
    why: str

    def matches(self, facts: Mapping[str, Any]) -> bool:
        for key, wanted in self.when.items():
            value = facts.get(key)
            if isinstance(wanted, bool):
                if bool(value) is not wanted:
                    return False
            elif value not in wanted:
                return False
        return True


@dataclass(frozen=True)
class RoutingRules:
    version: str
    rules: tuple[Rule, ...]
    _memo: dict[tuple[str, str, str, bool], Rule] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_dict(
        cls,
        raw: Mapping[str, Any],
        categories: Collection[str],
        departments: Collection[str] | None = None,
    ) -> RoutingRules:
        version = raw.get("version")
        items = raw.get("rules")
        if not isinstance(version, str) or not isinstance(items, list) or not items:
            raise RulesError("routing rules need a 'version' string and a non-empty 'rules' list")
        rules = tuple(_rule(i + 1, r, categories, departments) for i, r in enumerate(items))
        if rules[-1].when:
            raise RulesError("the last routing rule must have no conditions (the fallback)")
        return cls(version, rules)

    def route(
        self, category: str, request_class: str, account: str | None, district: str | None
    ) -> Route:
        key = (category, request_class, (account or "").lower(), district is not None)
        rule = self._memo.get(key)
        if rule is None:
            rule = self._first(key)
            if len(self._memo) < 10_000:
                self._memo[key] = rule
        target = f"gu:{district}" if rule.to == DISTRICT else rule.to
        uses = tuple(k for k in ("category", "request_class") if k in rule.when)
        return Route(target, rule.confidence, f"rule {rule.number}: {rule.why}", rule.number, uses)

    def _first(self, key: tuple[str, str, str, bool]) -> Rule:
        names = ("category", "request_class", "account", "district_known")
        facts = dict(zip(names, key, strict=True))
        return next(rule for rule in self.rules if rule.matches(facts))


def _rule(
    number: int, raw: Any, categories: Collection[str], departments: Collection[str] | None
) -> Rule:
    where = f"routing rule {number}"
    if not isinstance(raw, Mapping):
        raise RulesError(f"{where}: must be an object")
    when = raw.get("when", {})
    if not isinstance(when, Mapping):
        raise RulesError(f"{where}: 'when' must be an object")
    for key, value in when.items():
        _check_condition(where, key, value, categories)
    to = raw.get("to")
    if not isinstance(to, str) or not (to == DISTRICT or to.startswith("dept:")):
        raise RulesError(f"{where}: 'to' must be 'dept:CODE' or 'district', got {to!r}")
    if departments is not None and to != DISTRICT and to[5:] not in departments:
        raise RulesError(f"{where}: unknown department {to[5:]!r}")
    if to == DISTRICT and when.get("district_known") is not True:
        raise RulesError(f"{where}: 'district' needs the condition district_known: true")
    confidence = raw.get("confidence", 0.9)
    if not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
        raise RulesError(f"{where}: confidence must be a number from 0 to 1")
    normal = {
        k: (
            v
            if isinstance(v, bool)
            else frozenset(str(x).lower() if k == "account" else str(x) for x in v)
        )
        for k, v in when.items()
    }
    return Rule(number, normal, to, float(confidence), str(raw.get("why", "")))


def _check_condition(where: str, key: str, value: Any, categories: Collection[str]) -> None:
    if key not in _CONDITIONS:
        raise RulesError(f"{where}: unknown condition {key!r}; known: {', '.join(_CONDITIONS)}")
    if key == "district_known":
        if not isinstance(value, bool):
            raise RulesError(f"{where}: district_known must be true or false")
        return
    if not isinstance(value, list) or not value:
        raise RulesError(f"{where}: {key} must be a non-empty list")
    known = {"category": categories, "request_class": REQUEST_CLASSES}.get(key)
    for item in value:
        if known is not None and item not in known:
            raise RulesError(f"{where}: unknown {key} {item!r}")
