"""Every unmet finding says what would meet it, in en, ru and kk, with numbers, dates and plurals
as each language writes them (issue 12, items 2 and 3).

The remediation figures are checked against hand computation on the boundary cases, and
against a brute-force search for the smallest number that passes.
"""
import copy
import json
import re

import pytest
import yaml

import adapters
from server.judging import rulings
from server.judging.cases import Unreadable
from server.contract.request import RulingRequestSchema, load
from server.rules import expressions, facts, wording
from server.rules.nodes import ExpressionError
from tests.conftest import APPLICATIONS, POLICIES

CASES = POLICIES / "kz-foreign-labour" / "tests"
NBSP = "\xa0"


def defaults(name="cases.yaml"):
    """The legal team's approved request of a case file (registry facts inline)."""
    return copy.deepcopy(yaml.safe_load((CASES / name).read_text(encoding="utf-8"))["defaults"])


def unmet_texts(client, request, requirement):
    """{language: explanation} of `requirement`, which must be unmet, judged through the API."""
    out = {}
    for lang in ("en", "ru", "kk"):
        res = client.post("/v1/rulings", json=request, headers={"Accept-Language": lang})
        assert res.status_code == 201, res.get_json()
        body = res.get_json()
        assert res.headers["Content-Language"] == lang
        finding = next(f for f in body["findings"] if f["requirement"] == requirement)
        assert finding["status"] == "unmet", finding
        out[lang] = finding["explanation"]
    return out


# --- numbers, dates and plurals by the book (Babel) ---------------------------------------

@pytest.mark.parametrize("lang,n,forms,expected", [
    ("en", 1, {"one": "# worker", "other": "# workers"}, "1 worker"),
    ("en", 0, {"one": "# worker", "other": "# workers"}, "0 workers"),
    ("en", 2, {"one": "# worker", "other": "# workers"}, "2 workers"),
    ("ru", 1, {"one": "# работник", "few": "# работника", "many": "# работников"}, "1 работник"),
    ("ru", 3, {"one": "# работник", "few": "# работника", "many": "# работников"}, "3 работника"),
    ("ru", 5, {"one": "# работник", "few": "# работника", "many": "# работников"}, "5 работников"),
    ("ru", 11, {"one": "# работник", "few": "# работника", "many": "# работников"}, "11 работников"),
    ("ru", 21, {"one": "# работник", "few": "# работника", "many": "# работников"}, "21 работник"),
    ("ru", 101, {"one": "# специалиста", "few": "# специалистов", "many": "# специалистов"}, "101 специалиста"),
    ("ru", 1.5, {"one": "# места", "few": "# мест", "many": "# мест"}, "1,5 мест"),
    ("kk", 1, {"one": "# жұмыскер", "other": "# жұмыскер"}, "1 жұмыскер"),
    ("kk", 7, {"one": "# жұмыскер", "other": "# жұмыскер"}, "7 жұмыскер"),
])
def test_plural_forms_follow_cldr(lang, n, forms, expected):
    assert wording.plural(n, forms, lang) == expected


def test_each_language_needs_its_own_plural_forms():
    assert wording.needed_forms("en") == ("one", "other")
    assert wording.needed_forms("ru") == ("one", "few", "many")
    assert wording.needed_forms("kk") == ("one", "other")


@pytest.mark.parametrize("lang,expected", [("en", "17 September 2025"), ("ru", "17.09.2025"), ("kk", "17.09.2025")])
def test_dates_are_written_as_each_language_writes_them(lang, expected):
    day = 20348   # 2025-09-17
    assert wording.date(day, lang) == expected
    assert wording.date(day, None) == "2025-09-17"


@pytest.mark.parametrize("lang,value,expected", [
    ("en", 63.636, "63.6%"), ("ru", 63.636, f"63,6{NBSP}%"), ("kk", 63.636, "63,6%"),
    ("en", 70, "70%"), ("ru", 90, f"90{NBSP}%"),
    # a share just under the 70% required never reads as 70%
    ("en", 69.96, "69.9%"), ("en", 100 * 69 / 99, "69.6%"),
])
def test_percentages_use_the_language_sign_and_never_round_up(lang, value, expected):
    assert wording.percent(value, lang) == expected


def _scope(lang, texts=True):
    return expressions.Scope(facts.INPUT_FACTS, {}, allow_ifelse=texts, lang=lang)


def test_a_russian_text_must_give_every_russian_plural_form():
    with pytest.raises(ExpressionError, match="needs the forms one, few, many; missing few, many"):
        expressions.parse("plural(application.workers_requested, one='работник', other='работники')", _scope("ru"))
    node = expressions.parse("plural(application.workers_requested, one='# place', other='# places')", _scope("en"))
    assert node.type == "string"


def test_plural_and_percent_are_for_texts_and_ceil_for_texts_and_set_values():
    with pytest.raises(ExpressionError, match="allowed in texts only"):
        expressions.parse("plural(application.workers_requested, one='a', other='b') == 'a'", _scope(None, texts=False))
    with pytest.raises(ExpressionError, match="allowed in texts and set: values only"):
        expressions.parse("ceil(application.workers_requested / 2) > 1", _scope(None, texts=False))
    with pytest.raises(ExpressionError, match="CLDR forms"):
        expressions.parse("plural(application.workers_requested, one='a', lots='b')", _scope("en"))


def test_no_shipped_explanation_writes_a_wrong_number_form(book):
    """Every sample application in every language: no `1 workers`, `only 0`, `101 специалистов`,
    ISO dates outside English, or a value that could not be filled."""
    wrong = re.compile(r"\b1 (workers|places|times)\b|\bonly 0\b|(?<!1)1 (специалистов|работников|мест)\b|\(0\)|\?")
    for path in sorted(APPLICATIONS.glob("*.json")):
        request = load(RulingRequestSchema, json.loads(path.read_text(encoding="utf-8")))
        for lang in ("en", "ru", "kk"):
            ruling = rulings.judge(book, request, lang=lang)
            for f in ruling["findings"]:
                text = f["explanation"]
                assert text and not wrong.search(text), (path.name, lang, f["requirement"], text)
                if lang != "en":
                    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), (path.name, lang, text)


# --- local content: how many citizens to hire, or how many fewer foreign workers ----------

def smallest_hire(c, t, p):
    return next(n for n in range(10_000) if 100 * (c + n) >= p * (t + n))


def smallest_fewer(c, t, p):
    return next(m for m in range(t + 1) if t - m == 0 or 100 * c >= p * (t - m))


def staffed(category, citizens, foreigners, requested):
    """The approved request with one group's staff set (the other group all citizens) and the
    foreign workers it lists as many as the staff declares."""
    request = defaults()
    app = request["application"]
    group = "managers" if category in (1, 2) else "specialists"
    other = "specialists" if group == "managers" else "managers"
    app["category"], app["workers_requested"] = category, requested
    app["employer"]["staff"] = {group: {"citizens": citizens, "foreigners": foreigners},
                                other: {"citizens": 10, "foreigners": 0}}
    worker = app["foreign_workers"][0]
    app["foreign_workers"] = [dict(worker, passport=f"N{9000000 + i}", iin=None) for i in range(foreigners)]
    request["registry"]["quota"]["category"] = str(category)
    return request


# (category, citizens, foreigners already employed, requested) -> citizens to hire, fewer to request (None: not enough)
BOUNDARY = [
    # managers 70%: 7 of 10 with 1 requested is exactly 70%; 7 citizens, 3 foreigners and 1 requested is 7 of 11
    ((1, 7, 2, 1), None),
    ((1, 7, 3, 1), (3, None, "63.6%")),      # 10 of 14 = 71.4% passes, 9 of 13 = 69.2% does not
    ((1, 69, 29, 1), (1, None, "69.6%")),    # 69 of 99: one more citizen makes 70 of 100
    ((2, 70, 28, 3), (3, 1, "69.3%")),       # 70 of 101: 73 of 104 passes; or 2 requested: 70 of 100
    # specialists 90%: 9 of 10 exactly; 89 of 99 just under
    ((3, 9, 0, 1), None),
    ((3, 89, 9, 1), (1, None, "89.8%")),
    ((4, 90, 8, 3), (9, 1, "89.1%")),        # 90 of 101: 99 of 110 is 90%; or 2 requested: 90 of 100
]


@pytest.mark.parametrize("case,expected", BOUNDARY, ids=[str(c) for c, _ in BOUNDARY])
def test_local_content_says_how_many_citizens_to_hire_on_the_boundary(client, case, expected):
    category, c, f, r = case
    request = staffed(category, c, f, r)
    t, p = c + f + r, 70 if category in (1, 2) else 90
    if expected is None:
        assert 100 * c >= p * t
        res = client.post("/v1/rulings", json=request)
        finding = next(x for x in res.get_json()["findings"] if x["requirement"] == "local-content-ratio")
        assert finding["status"] == "met"
        assert f"{c} of {t} are citizens ({100 * c // t}%)" in finding["explanation"]
        return
    hire, fewer, share = expected
    assert (smallest_hire(c, t, p), smallest_fewer(c, t, p) if fewer else None) == (hire, fewer)
    if fewer is None:
        assert smallest_fewer(c, t, p) >= r    # requesting fewer (and at least one) cannot pass
    texts = unmet_texts(client, request, "local-content-ratio")
    group_en, group_ru, group_kk = (("managers", "руководителей", "басшы") if category in (1, 2)
                                    else ("specialists", "специалистов", "маман"))
    citizens = "citizen" if hire == 1 else "citizens"
    assert f"{c} of {t} are citizens, {share}, below the required {p}%" in texts["en"]
    assert f"hire {hire} more {citizens} as {group_en}" in texts["en"]
    ru_share = share.replace(".", ",").replace("%", f"{NBSP}%")
    assert f"граждан РК — {c} из {t} ({ru_share}), а требуется не менее {p}{NBSP}%" in texts["ru"]
    ru_citizens = "гражданина РК" if hire % 10 == 1 and hire % 100 != 11 else "граждан РК"
    assert f"на должности {group_ru} ещё {hire} {ru_citizens}" in texts["ru"]
    assert f"барлығы {t}, оның ішінде ҚР азаматтары {c} ({share.replace('.', ',')})" in texts["kk"]
    assert f"{group_kk} лауазымдарына тағы {hire} ҚР азаматын жұмысқа қабылдау" in texts["kk"]
    if fewer:
        assert f"or request {fewer} foreign worker fewer ({r - fewer} instead of {r})" in texts["en"]
        assert f"либо уменьшить число запрашиваемых иностранных работников на {fewer} (до {r - fewer})" in texts["ru"]
        assert f"санын {fewer} адамға азайту ({r - fewer} адамға дейін)" in texts["kk"]
    else:
        assert "(requesting fewer foreign workers would not be enough)" in texts["en"]
        assert "(уменьшить число запрашиваемых иностранных работников недостаточно)" in texts["ru"]
        assert "Сұралатын шетелдік жұмыскерлер санын азайту ғана жеткіліксіз." in texts["kk"]


def test_the_local_content_refusal_does_not_read_as_met_and_names_only_the_failing_group(client):
    texts = unmet_texts(client, staffed(1, 7, 3, 1), "local-content-ratio")
    assert texts["en"].startswith("Local content is not met") and "Specialists" not in texts["en"]
    assert texts["ru"].startswith("Условие о местном содержании в кадрах не выполнено") and "Специалисты" not in texts["ru"]
    assert texts["kk"].startswith("Кадрлардағы жергілікті қамту шарты орындалмады") and "Мамандар" not in texts["kk"]


# --- each requirement's unmet explanation carries its figure or date -----------------------

def _set(request, path, value):
    node = request
    *parents, last = path.split(".")
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    node[int(last) if isinstance(node, list) else last] = value
    return request


UNMET = [
    ("quota-available", "cases.yaml", {"registry.quota.remaining": 1, "application.workers_requested": 2},
     ["has only 1 place left, but 2 workers are requested: request at most 1 worker"],
     ["осталось лишь 1 место, а запрашивается 2 работника: можно запросить не более 1 работника"],
     ["тек 1 орын қалды, ал 2 жұмыскер сұралады: көп дегенде 1 жұмыскер сұрауға"]),
    ("quota-available", "cases.yaml", {"registry.quota.remaining": 0},
     ["has no places left, but 1 worker is requested"], ["не осталось мест, а запрашивается 1 работник"],
     ["бос орын қалмады, ал 1 жұмыскер сұралады"]),
    ("no-unpermitted-labour", "cases.yaml",
     {"registry.offences.records": [{"employer_bin": "150540000106", "article": "519", "decided_on": "2024-12-01"},
                                    {"employer_bin": "150540000106", "article": "519", "decided_on": "2025-02-01"}]},
     ["decision of 1 February 2025 bars new permits through 1 February 2026; the bar lifts on 2 February 2026"],
     ["от 01.02.2025 препятствует выдаче разрешений по 01.02.2026 включительно; запрет снимается 02.02.2026"],
     ["01.02.2025 жылғы 519-бап", "тыйым 02.02.2026 жылы алынады"]),
    ("vacancy-waiting-period", "cases.yaml", {"registry.labour_exchange.vacancy.published_on": "2025-09-10"},
     ["Posted on 10 September 2025; filing is possible from 26 September 2025, the first day"],
     ["Размещена 10.09.2025; подача возможна с 26.09.2025"], ["өтінішті 26.09.2025 жылдан бастап беруге болады"]),
    ("vacancy-published", "cases.yaml", {"application.vacancy_code": "4099999"},
     ["No vacancy 4099999", "a vacancy posted on 20 September 2025 would allow filing from 6 October 2025"],
     ["Вакансия 4099999", "при размещении 20.09.2025 подача заявления возможна с 06.10.2025"],
     ["4099999 бос жұмыс орнын", "20.09.2025 жылы орналастырылса, өтінішті 06.10.2025 жылдан бастап"]),
    ("foreign-workers-listed", "cases.yaml", {"application.employer.staff.specialists.foreigners": 3},
     ["The staff declares 3 foreign employees, but 1 is listed: 2 foreign workers are missing from the list"],
     ["иностранцев — 3, а в списке — 1: в списке не хватает 2 иностранных работников"],
     ["3 шетелдік жұмыскер бар, ал тізімде 1 жұмыскер көрсетілген: тізімде 2 шетелдік жұмыскер жетіспейді"]),
    ("foreign-workers-listed", "cases.yaml", {"application.employer.staff.specialists.foreigners": 0},
     ["The staff declares no foreign employee, but 1 is listed: 1 worker more than declared"],
     ["иностранцев нет, а в списке — 1: указано на 1 больше"], ["шетелдіктер жоқ", "мәлімделгеннен 1 жұмыскер артық"]),
    ("contracts-registered", "cases.yaml", {"registry.ulcrs.contracts": []},
     ["(20 September 2025) for the worker with passport N1234567: register the labour contract"],
     ["У работника с паспортом N1234567 нет договора", "(20.09.2025)"],
     ["Төлқұжаты N1234567 жұмыскердің", "(20.09.2025)", "тіркеу қажет"]),
    ("workers-have-iin", "cases.yaml", {"application.foreign_workers.0.iin": None},
     ["The worker with passport N1234567 has no IIN: the worker must obtain"],
     ["У работника с паспортом N1234567 нет ИИН"], ["Төлқұжаты N1234567 жұмыскердің ЖСН-і жоқ"]),
    ("migration-data", "cases.yaml", {"registry.migration_police.persons.0.status": "overstay"},
     ["no lawful status for N1234567 (status: overstay): the stay must be regularised"],
     ["законный статус для N1234567 (статус: overstay)"], ["N1234567 (мәртебесі: overstay)"]),
    ("migration-data", "cases.yaml", {"registry.migration_police.persons": []},
     ["no record at all for passport N1234567: check the passport number"],
     ["нет никакой записи для паспорта N1234567"], ["төлқұжат бойынша ешқандай жазба жоқ: N1234567"]),
    ("extension-allowed", "extensions.yaml", {"application.current_permit.extensions": 3},
     ["Permit P-2024-1 has been extended 3 times, and a category 3 permit may be extended at most 3 times"],
     ["продлевалось 3 раза, а разрешение 3 категории продлевается не более 3 раз"],
     ["P-2024-1 рұқсаты 3 рет ұзартылды, ал 3-санаттағы рұқсат 3 реттен артық ұзартылмайды"]),
    ("renewal-window", "extensions.yaml", {"application.current_permit.expires_on": "2026-01-15"},
     ["only from 16 November 2025 through 16 December 2025", "it may be filed from 16 November 2025"],
     ["только с 16.11.2025 по 16.12.2025", "подать заявление можно с 16.11.2025"],
     ["өтінішті 16.11.2025 жылдан бастап беруге болады"]),
    ("transfer-conditions", "transfers.yaml", {"application.transfer.employed_since": "2024-10-01"},
     ["the required 12 months of employment are complete on 1 October 2025, the first day"],
     ["требуемый срок работы (12 месяцев) истекает 01.10.2025"], ["(12 ай) 01.10.2025 жылы өтеді"]),
]


@pytest.mark.parametrize("requirement,file,changes,en,ru,kk", UNMET, ids=[f"{u[0]}-{i}" for i, u in enumerate(UNMET)])
def test_each_unmet_explanation_gives_the_figure_or_date_that_would_meet_it(client, requirement, file, changes, en, ru, kk):
    request = defaults(file)
    for path, value in changes.items():
        _set(request, path, value)
    texts = unmet_texts(client, request, requirement)
    for lang, wanted in (("en", en), ("ru", ru), ("kk", kk)):
        for part in wanted:
            assert part in texts[lang], (lang, texts[lang])


@pytest.mark.parametrize("registry,requirement,words", [
    ("quota", "quota-available", ("quota registry", "данные о квоте", "Квота туралы деректер")),
    ("offences", "no-unpermitted-labour", ("administrative offences register", "реестра административных правонарушений",
                                           "Әкімшілік құқық бұзушылықтар тізілімінің")),
    ("labour_exchange", "vacancy-published", ("labour exchange", "биржи труда", "еңбек биржасының")),
    ("ulcrs", "contracts-registered", ("ULCRS", "ЕСУТД", "Еңбек шарттарын есепке алудың бірыңғай жүйесінің")),
    ("migration_police", "migration-data", ("migration police", "миграционной полиции", "Көші-қон полициясының")),
])
def test_an_unknown_finding_names_the_registry_and_that_a_retry_may_settle_it(book, registry, requirement, words):
    request = defaults()
    request["registry"].pop(registry)
    loaded = load(RulingRequestSchema, request)
    retry = ("a retry may settle it", "повторный запрос может это решить", "қайта сұрау мәселені шешуі мүмкін")
    for lang, word, again in zip(("en", "ru", "kk"), words, retry):
        ruling = rulings.judge(book, loaded, lang=lang, source=Unreadable({registry}, adapters.source_from_env()))
        finding = next(f for f in ruling["findings"] if f["requirement"] == requirement)
        assert finding["status"] == "unknown"
        assert word in finding["explanation"] and again in finding["explanation"], finding["explanation"]


def test_no_zero_worker_statement_when_no_worker_is_listed(client):
    request = defaults("extensions.yaml")
    app = request["application"]
    app["foreign_workers"] = []
    app["employer"]["staff"]["specialists"]["foreigners"] = 0
    res = client.post("/v1/rulings", json=request)
    assert res.status_code == 201, res.get_json()
    texts = {f["requirement"]: f["explanation"] for f in res.get_json()["findings"]}
    assert texts["foreign-workers-listed"] == "No foreign worker is listed, and the staff declares none."
    assert texts["contracts-registered"] == "No foreign worker is listed, so there is no contract to check."
    assert texts["workers-have-iin"] == "No foreign worker is listed, so there is no IIN to check."
    assert not any(re.search(r"\b0 (foreign )?workers?\b|\(0\)", t) for t in texts.values()), texts
