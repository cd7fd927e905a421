"""The words Ereje says that come from no rule file, in en, ru and kk: the names of the values
people read (statuses, outcomes, effects, routes, kinds, categories, units, registries), the
frames of the CLI's text output, the diff, the plan and the comparison report, and the
top-level message of each API error.

Every entry has all three languages (tests/test_languages.py walks them). The Kazakh and
Russian terms are those of docs/glossary.md. Codes stay codes in JSON (the contract);
only text for people is named here.
"""
from server.languages import text_in


def _t(en, ru, kk):
    return {"en": en, "ru": ru, "kk": kk}


NAMES = {
    "status": {
        "met": _t("met", "выполнено", "орындалды"),
        "unmet": _t("unmet", "не выполнено", "орындалмады"),
        "unknown": _t("unknown", "неизвестно", "белгісіз"),
        "not_applicable": _t("not applicable", "не применяется", "қолданылмайды"),
    },
    "outcome": {
        "approve": _t("approve", "одобрить", "мақұлдау"),
        "refuse": _t("refuse", "отказать", "бас тарту"),
        "undetermined": _t("undetermined", "не определено", "анықталмады"),
    },
    "effect": {
        "refuse": _t("refuse", "отказ", "бас тарту"),
        "warn": _t("warning", "предупреждение", "ескерту"),
    },
    "route": {
        "general": _t("general permit", "общее разрешение", "жалпы рұқсат"),
        "seasonal": _t("seasonal work", "сезонные работы", "маусымдық жұмыстар"),
        "intracompany_transfer": _t("intracompany transfer", "внутрикорпоративный перевод", "корпоративішілік ауыстыру"),
    },
    "kind": {
        "issue": _t("issue", "выдача", "беру"),
        "extension": _t("extension", "продление", "ұзарту"),
    },
    "category": {
        "1": _t("heads and their deputies", "руководители и их заместители", "басшылар және олардың орынбасарлары"),
        "2": _t("heads of structural divisions", "руководители структурных подразделений",
                "құрылымдық бөлімшелердің басшылары"),
        "3": _t("specialists", "специалисты", "мамандар"),
        "4": _t("qualified workers", "квалифицированные рабочие", "білікті жұмысшылар"),
        "seasonal": _t("seasonal work", "сезонные работы", "маусымдық жұмыстар"),
    },
    "unit": {   # the units rule files give parameters
        "percent": _t("percent", "процентов", "пайыз"),
        "employees": _t("employees", "работников", "жұмыскер"),
        "months": _t("months", "месяцев", "ай"),
        "days": _t("days", "дней", "күн"),
        "calendar days": _t("calendar days", "календарных дней", "күнтізбелік күн"),
        "calendar days before expiry": _t("calendar days before expiry", "календарных дней до истечения срока",
                                          "мерзімі өткенге дейінгі күнтізбелік күн"),
        "extensions": _t("extensions", "продлений", "ұзарту"),
    },
    "registry": {
        "labour_exchange": _t("labour_exchange", "электронная биржа труда", "электрондық еңбек биржасы"),
        "ulcrs": _t("ulcrs", "ЕСУТД", "Еңбек шарттарын есепке алудың бірыңғай жүйесі"),
        "migration_police": _t("migration_police", "миграционная полиция", "көші-қон полициясы"),
        "quota": _t("quota", "квота", "квота"),
        "offences": _t("offences", "реестр административных правонарушений", "әкімшілік құқық бұзушылықтар тізілімі"),
    },
    "moved": {   # what a requirement's meaning moves through, in the diff
        "derived fact": _t("derived fact", "выводимый факт", "шығарылатын факт"),
        "parameter": _t("parameter", "параметр", "параметр"),
    },
    "exemption": {   # local_content_exemption.reason
        "branch": _t("branch or representative office of a foreign legal entity",
                     "филиал или представительство иностранного юридического лица",
                     "шетелдік заңды тұлғаның филиалы немесе өкілдігі"),
        "small_business": _t("small business", "субъект малого предпринимательства", "шағын кәсіпкерлік субъектісі"),
    },
}


FRAMES = {
    # ereje rule --format text
    "rule.head": _t("{outcome}  under {regulation} {version} ({in_force}), judged on {day}",
                    "{outcome}  по {regulation} {version} ({in_force}), решение на {day}",
                    "{outcome}  {regulation} {version} бойынша ({in_force}), {day} күнгі шешім"),
    "rule.in_force": _t("in force {start} to {end}", "действует с {start} по {end}", "{start} бастап {end} дейін қолданыста"),
    "rule.in_force_open": _t("in force {start} to now", "действует с {start} по настоящее время",
                             "{start} бастап қазіргі уақытқа дейін қолданыста"),
    "rule.warning": _t("warning", "предупреждение", "ескерту"),
    "rule.missing": _t("Registries that could not be read: {registries}", "Не удалось получить данные: {registries}",
                       "Деректері алынбаған тізілімдер: {registries}"),
    "rule.digest": _t("rule set {digest}", "набор правил {digest}", "ережелер жиынтығы {digest}"),
    # ereje diff (text)
    "diff.head": _t("{regulation}: changes from {start} to {end}", "{regulation}: изменения от редакции {start} к редакции {end}",
                    "{regulation}: {start} редакциясынан {end} редакциясына дейінгі өзгерістер"),
    "diff.added": _t("Requirements added ({n}):", "Добавленные требования ({n}):", "Қосылған талаптар ({n}):"),
    "diff.removed": _t("Requirements removed ({n}):", "Исключённые требования ({n}):", "Алып тасталған талаптар ({n}):"),
    "diff.changed": _t("Requirements changed ({n}):", "Изменённые требования ({n}):", "Өзгертілген талаптар ({n}):"),
    "diff.affected": _t("Requirements whose text is unchanged but whose meaning changes ({n}):",
                        "Требования, текст которых не изменился, а смысл меняется ({n}):",
                        "Мәтіні өзгермеген, бірақ мағынасы өзгеретін талаптар ({n}):"),
    "diff.citation": _t("citation:", "норма:", "норма:"),
    "diff.applies": _t("applies:", "применяется:", "қолданылады:"),
    "diff.met_when": _t("met when:", "выполнено, если:", "орындалады, егер:"),
    "diff.if_unmet": _t("if unmet:", "если не выполнено:", "орындалмаса:"),
    "diff.without_registries": _t("registry missing:", "реестр недоступен:", "тізілім қолжетімсіз:"),
    "diff.always": _t("always", "всегда", "әрқашан"),
    "diff.before": _t("before:", "было:", "бұрын:"),
    "diff.after": _t("after:", "стало:", "кейін:"),
    "diff.moves_through": _t("its meaning also moves through: {names}", "смысл меняется также через: {names}",
                             "мағынасы мыналар арқылы да өзгереді: {names}"),
    "diff.through": _t("through: {names}", "через: {names}", "арқылы: {names}"),
    "diff.parameters": _t("Parameters:", "Параметры:", "Параметрлер:"),
    "diff.derived": _t("Derived facts:", "Выводимые факты:", "Шығарылатын фактілер:"),
    "diff.readings": _t("Readings (how open points of law are read):",
                        "Толкования (как прочитаны открытые вопросы права):",
                        "Түсіндірмелер (құқықтың ашық мәселелері қалай оқылды):"),
    "diff.none": _t("(none)", "(нет)", "(жоқ)"),
    "diff.no_change": _t("(no change)", "(без изменений)", "(өзгеріссіз)"),
    # ereje plan --format text
    "plan.earliest": _t("EARLIEST {day}  under {regulation} {version}", "НАИБОЛЕЕ РАННЯЯ ДАТА {day}  по {regulation} {version}",
                        "ЕҢ ЕРТЕ КҮН {day}  {regulation} {version} бойынша"),
    "plan.none": _t("NO DATE", "ДАТЫ НЕТ", "КҮН ЖОҚ"),
    "plan.planned": _t("planned {planned}, looked through {start} to {end}",
                       "планируемая дата {planned}, рассмотрены даты с {start} по {end}",
                       "жоспарланған күн {planned}, {start} – {end} аралығы қаралды"),
    "plan.deciding": _t("Deciding:", "Решающие требования:", "Шешуші талаптар:"),
    "plan.actions": _t("Still needed (no date fixes these):", "Ещё нужно (дата подачи этого не исправит):",
                       "Әлі қажет (өтініш беру күні мұны түзетпейді):"),
    "plan.outcome": _t("Ruling on {day}: {outcome}", "Решение на {day}: {outcome}", "{day} күнгі шешім: {outcome}"),
    # the plan's reason (server/judging/planwords.py)
    "plan.reason.none": _t("No filing date from {start} to {end} would be approved.",
                           "Ни при одной дате подачи с {start} по {end} заявление не было бы одобрено.",
                           "{start} – {end} аралығында өтініш мақұлданатын бірде-бір күн жоқ."),
    "plan.reason.always": _t("{title}: unmet on every date.", "{title}: не выполнено ни на одну из дат.",
                             "{title}: бірде-бір күні орындалмайды."),
    "plan.reason.unmet": _t("{title}: unmet {periods}.", "{title}: не выполнено {periods}.", "{title}: {periods} орындалмайды."),
    "plan.reason.unknown": _t(
        "{title}: unknown {periods} (could not be read: {registries}; a retry may settle it).",
        "{title}: неизвестно {periods} (не удалось получить данные: {registries}; повторный запрос может это решить).",
        "{title}: {periods} белгісіз (деректер алынбады: {registries}; қайта сұрау мәселені шешуі мүмкін)."),
    "plan.reason.no_version": _t("No version of the regulation is in force {periods}.", "Ни одна редакция не действует {periods}.",
                                 "{periods} ешбір редакция қолданыста емес."),
    # ereje compare --report (and its text summary)
    # ereje compare (text summary)
    "summary.head": _t("{regulation}: {read} application(s) read from {file}, {judged} judged, {not_judged} could not be judged",
                       "{regulation}: из {file} прочитано заявлений: {read}, оценено: {judged}, не удалось оценить: {not_judged}",
                       "{regulation}: {file} ішінен оқылған өтініштер: {read}, қаралғаны: {judged}, қарау мүмкін болмағаны: {not_judged}"),
    "summary.outcomes": _t("Outcomes by version:", "Решения по редакциям:", "Редакциялар бойынша шешімдер:"),
    "summary.judged": _t("judged", "оценено", "қаралды"),
    "summary.unchanged": _t("unchanged", "без изменений", "өзгеріссіз"),
    "summary.changed": _t("changed", "изменилось", "өзгерді"),
    "summary.causes": _t("requirements causing the changes:", "требования, вызвавшие изменения:",
                         "өзгерістерге әкелген талаптар:"),
    "summary.errors": _t("Could not be judged:", "Не удалось оценить:", "Қарау мүмкін болмады:"),
    "summary.line": _t("line", "строка", "жол"),
    "report.title": _t("{regulation}: comparison of versions {versions}", "{regulation}: сравнение редакций {versions}",
                       "{regulation}: {versions} редакцияларын салыстыру"),
    "report.heading": _t("{regulation}: what changes between versions", "{regulation}: что меняется между редакциями",
                         "{regulation}: редакциялар арасында не өзгереді"),
    "report.meta": _t("File {file}: {read} application(s) read, {judged} judged, {not_judged} could not be judged.",
                      "Файл {file}: прочитано заявлений — {read}, оценено — {judged}, не удалось оценить — {not_judged}.",
                      "{file} файлы: оқылған өтініштер – {read}, қаралғаны – {judged}, қарау мүмкін болмағаны – {not_judged}."),
    "report.outcomes": _t("Outcomes by version", "Решения по редакциям", "Редакциялар бойынша шешімдер"),
    "report.version": _t("version", "редакция", "редакция"),
    "report.applications": _t("applications", "заявления", "өтініштер"),
    "report.requirement": _t("requirement", "требование", "талап"),
    "report.causes": _t("Requirements causing the changes", "Требования, вызвавшие изменения",
                        "Өзгерістерге себеп болған талаптар"),
    "report.by_requirement": _t("Changes by requirement, {start} to {end}", "Изменения по требованиям, {start} → {end}",
                                "Талаптар бойынша өзгерістер, {start} → {end}"),
    "report.none": _t("{title}: none.", "{title}: нет.", "{title}: жоқ."),
    "report.read": _t("read", "прочитано", "оқылды"),
    "report.judged": _t("judged", "оценено", "қаралды"),
    "report.unchanged": _t("unchanged", "без изменений", "өзгеріссіз"),
    "report.changed": _t("changed", "изменилось", "өзгерді"),
    "report.changed_flip": _t("changed {start} -> {end}", "изменилось: {start} → {end}", "өзгерді: {start} → {end}"),
    "report.not_judged": _t("could not be judged", "не удалось оценить", "қарау мүмкін болмады"),
    "report.errors": _t("Could not be judged", "Не удалось оценить", "Қарау мүмкін болмады"),
    "report.all_judged": _t("Every application was judged.", "Оценены все заявления.", "Барлық өтініштер қаралды."),
    "report.reason": _t("reason", "причина", "себебі"),
    "report.count": _t("count", "количество", "саны"),
    "report.first_lines": _t("first lines", "первые строки", "алғашқы жолдар"),
}

# The top-level `message` of each API error code in ru and kk (en keeps the detailed message raised);
# `fields` stay in English.
ERRORS = {
    "bad_request": _t("The request is malformed.", "Запрос составлен неверно.", "Сұрау дұрыс құрастырылмаған."),
    "not_json": _t("The body is not valid JSON.", "Тело запроса не является корректным JSON.",
                   "Сұрау денесі дұрыс JSON емес."),
    "unauthorized": _t("A valid bearer token is required: Authorization: Bearer <token>.",
                       "Требуется действительный токен: Authorization: Bearer <token>.",
                       "Жарамды токен қажет: Authorization: Bearer <token>."),
    "not_found": _t("No such resource.", "Ресурс не найден.", "Ресурс табылмады."),
    "method_not_allowed": _t("This method is not allowed on this resource.", "Этот метод для данного ресурса не допускается.",
                             "Бұл ресурс үшін бұл әдіске рұқсат етілмейді."),
    "request_timeout": _t("The request did not arrive whole in time.", "Запрос не поступил полностью в отведённое время.",
                          "Сұрау белгіленген уақытта толық келіп түспеді."),
    "ruling_unreadable": _t("This server cannot read the stored ruling.", "Сервер не может прочитать сохранённое решение.",
                            "Сервер сақталған шешімді оқи алмайды."),
    "payload_too_large": _t("The body is over the size limit.", "Тело запроса превышает допустимый размер.",
                            "Сұрау денесі рұқсат етілген көлемнен асады."),
    "uri_too_long": _t("The request line is too long.", "Строка запроса слишком длинная.", "Сұрау жолы тым ұзын."),
    "unsupported_media_type": _t("Send the body as application/json.", "Отправьте тело запроса как application/json.",
                                 "Сұрау денесін application/json түрінде жіберіңіз."),
    "invalid_request": _t("The request does not fit the contract.", "Запрос не соответствует описанию API (см. fields).",
                          "Сұрау API сипаттамасына сәйкес келмейді (fields қараңыз)."),
    "no_version_in_force": _t("No version of the regulation was in force on that date.",
                              "На эту дату не действовала ни одна редакция.", "Бұл күні ешбір редакция қолданыста болмады."),
    "unknown_version": _t("The regulation has no such version.", "Такой редакции нет.", "Мұндай редакция жоқ."),
    "unknown_regulation": _t("No such regulation.", "Такой нормативный правовой акт серверу неизвестен.",
                             "Мұндай нормативтік құқықтық акт серверге белгісіз."),
    "idempotency_key_reused": _t("This Idempotency-Key was first sent with another request.",
                                 "Этот Idempotency-Key уже отправлялся с другим запросом.",
                                 "Бұл Idempotency-Key бұрын басқа сұраумен жіберілген."),
    "header_fields_too_large": _t("The request headers are too large.", "Заголовки запроса слишком велики.",
                                  "Сұрау тақырыптары тым үлкен."),
    "internal_error": _t("Internal error; quote request id {request_id} when reporting it.",
                         "Внутренняя ошибка; при обращении укажите идентификатор запроса {request_id}.",
                         "Ішкі қате; хабарласқанда сұрау идентификаторын көрсетіңіз: {request_id}."),
}


def name(kind, code, lang):
    """The name in `lang` of value `code` of `kind` (status, outcome, ...); the code itself when unnamed."""
    texts = NAMES.get(kind, {}).get(str(code))
    return text_in(texts, lang) if texts else str(code)


def date(iso, lang):
    """An ISO date as its language writes it: 17.09.2025 in ru and kk, as given in en."""
    if lang in ("ru", "kk") and isinstance(iso, str) and len(iso) == 10 and iso[4] == iso[7] == "-":
        return f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}"
    return iso


def say(key, lang, **values):
    """Frame `key` in `lang` with `values` filled in."""
    return text_in(FRAMES[key], lang).format(**values)


def error(code, lang, fallback, **values):
    """The top-level message of error `code` in `lang`: `fallback` (the detailed English message) in
    English or for a code the catalogue does not name."""
    if lang == "en" or code not in ERRORS:
        return fallback
    return text_in(ERRORS[code], lang).format(**values)
