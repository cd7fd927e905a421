"""A small demo regulation (two requirements, one derived fact, en and ru) and its cases, for tests
that need rule files of their own."""
import yaml

from server.engine import runner as engine
from server.rules import rulebook

RULES = """\
regulation: demo
version: "2025-01-01"
effective_from: 2025-01-01
title: {en: Demo rules, ru: Демо правила}
act:
  title: {en: Demo act, ru: Демо акт}
  number: "1"
  date: 2024-12-01
  url: https://example.org/demo-act
  readings: [by-filing-date]
readings:
  - id: by-filing-date
    strength: READING
    text: {en: Judged under the version in force when filed., ru: По редакции на дату подачи.}
  - id: quota-of-the-year
    strength: READING
    text: {en: The quota of the year of filing., ru: Квота на год подачи.}
  - id: seasonal-cap-counting
    strength: READING
    text: {en: "The cap of {seasonal_cap} counts the requested workers.", ru: "Предел {seasonal_cap}: запрашиваемые."}
parameters:
  seasonal_cap:
    type: count
    value: 3
    unit: workers
    description: {en: Most seasonal workers per application, ru: Наибольшее число сезонных работников}
derive:
  - id: over-the-cap
    fact: seasonal_excess
    readings: [seasonal-cap-counting]
    when: application.workers_requested > seasonal_cap
    set:
      applies: true
requirements:
  - id: quota-available
    title: {en: The quota has room, ru: В квоте есть места}
    citation: {en: "Demo act, point 1", ru: "Демонстрационный акт, пункт 1"}
    readings: [quota-of-the-year]
    scope: application.route in ["general", "seasonal"]
    condition: quota.remaining >= application.workers_requested
    effect: refuse
    explain:
      met: {en: Room left., ru: Места есть.}
      unmet: {en: No room left., ru: Мест нет.}
      unknown: {en: The quota could not be read., ru: Квота неизвестна.}
      not_applicable: {en: Outside the quota., ru: Вне квоты.}
  - id: seasonal-cap
    title: {en: "At most {seasonal_cap} seasonal workers", ru: "Не более {seasonal_cap} сезонных работников"}
    citation: {en: "Demo act, point 2", ru: "Демонстрационный акт, пункт 2"}
    scope: application.route == "seasonal"
    condition: not seasonal_excess.applies
    effect: refuse
    explain:
      met: {en: Within the cap., ru: В пределах.}
      unmet: {en: Over the cap., ru: Сверх предела.}
      unknown: {en: Not known., ru: Неизвестно.}
      not_applicable: {en: Not seasonal work., ru: Не сезонная работа.}
languages: [en, ru]   # a demo rule set: no Kazakh texts (the documented opt-out)
"""
QUOTA_LINE = 1 + RULES.splitlines().index("  - id: quota-available")
CAP_LINE = 1 + RULES.splitlines().index("  - id: seasonal-cap")

DEFAULTS = {
    "regulation": "demo",
    "application": {"submitted_on": "2025-03-01", "kind": "issue", "route": "general", "category": 3,
                    "region": "ALMATY", "workers_requested": 2,
                    "employer": {"bin": "150540000106", "headcount": 120,
                                 "staff": {"managers": {"citizens": 9, "foreigners": 1},
                                           "specialists": {"citizens": 95, "foreigners": 5}}}},
    "registry": {"quota": {"region": "ALMATY", "year": 2025, "category": "3", "remaining": 5}},
}
SEASONAL = {"application.route": "seasonal", "registry.quota.category": "seasonal"}
CASES = {
    "room": {"name": "A quota with room is enough", "expect": {"findings": {"quota-available": "met"}}},
    "full": {"name": "An exhausted quota refuses", "set": {"registry.quota.remaining": 1},
             "expect": {"findings": {"quota-available": "unmet"}}},
    "unpublished": {"name": "A quota nobody publishes is not known", "set": {"application.region": "NOWHERE"},
                    "remove": ["registry.quota"], "expect": {"findings": {"quota-available": "unknown"}}},
    "within": {"name": "Three seasonal workers are within the cap", "set": {**SEASONAL, "application.workers_requested": 3},
               "remove": ["application.category", "application.employer.staff"],
               "expect": {"findings": {"seasonal-cap": "met"}}},
    "over": {"name": "Four seasonal workers are over the cap", "set": {**SEASONAL, "application.workers_requested": 4},
             "remove": ["application.category", "application.employer.staff"],
             "expect": {"findings": {"seasonal-cap": "unmet"}}},
    "transfer": {"name": "An intracompany transfer is outside the quota",
                 "set": {"application.route": "intracompany_transfer",
                         "application.transfer": {"sending_country": "DEU", "employed_since": "2023-01-10"}},
                 "remove": ["application.category", "application.employer.staff"],
                 "expect": {"findings": {"quota-available": "not_applicable"}}},
}


def demo(tmp_path, *names, cases=None):
    """A policies directory with the demo rules and the named cases."""
    folder = tmp_path / "policies" / "demo"
    (folder / "tests").mkdir(parents=True)
    (folder / "2025-01-01.yaml").write_text(RULES, encoding="utf-8")
    doc = {"defaults": DEFAULTS, "cases": cases or [CASES[n] for n in names]}
    (folder / "tests" / "cases.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return tmp_path / "policies"


def book_of(tmp_path, rules=RULES):
    """The demo regulation with `rules` as its rule file, loaded and registered with this process's engine."""
    policies = demo(tmp_path)
    (policies / "demo" / "2025-01-01.yaml").write_text(rules, encoding="utf-8")
    book = rulebook.load(policies)
    engine.register_all(book)
    return book
