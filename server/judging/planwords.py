"""The words of a plan that come from no rule file: why no date works, in each language
(server/messages.py, "plan.reason.*").

Requirement titles come from the rule files (the ruling's findings); these frames only
join them with the periods a plan found. Periods are written `from – to`, dates ISO.
"""
from server import messages


def frame(name, lang, **values):
    return messages.say(f"plan.reason.{name}", lang, **values)


def periods(spans):
    """`[(from, to), ...]` of ISO dates as `from – to, from – to` (one day: the date alone)."""
    return ", ".join(a if a == b else f"{a} – {b}" for a, b in spans)
