"""The words of the draft and report pages in every language (merged into words.WORDS)."""


def _w(en, ru, kk):
    return {"en": en, "ru": ru, "kk": kk}


DRAFT_WORDS = {
    "draft_note": _w("The draft is tried in a temporary copy of the rule files: it is never published, "
                     "never served to API clients and nothing is stored.",
                     "Проект проверяется во временной копии файлов правил: он не публикуется, "
                     "не доступен клиентам API, и ничего не сохраняется.",
                     "Жоба қағида файлдарының уақытша көшірмесінде тексеріледі: ол жарияланбайды, "
                     "API клиенттеріне берілмейді және ештеңе сақталмайды."),
    "regulation": _w("Regulation", "Нормативный акт", "Нормативтік акт"),
    "draft_text": _w("Draft rule file (a new version or an amendment)", "Проект файла правил (новая редакция или изменение)",
                     "Қағида файлының жобасы (жаңа редакция немесе өзгеріс)"),
    "draft_file": _w("or upload it", "или загрузите его", "немесе оны жүктеңіз"),
    "last_n": _w("Stored rulings to judge again (the last N, at most 200)",
                 "Сохранённые решения для повторной оценки (последние N, не более 200)",
                 "Қайта бағаланатын сақталған шешімдер (соңғы N, 200-ден аспайды)"),
    "requests_file": _w("Applications to judge (JSON Lines, optional)", "Заявления для оценки (JSON Lines, необязательно)",
                        "Бағаланатын өтініштер (JSON Lines, міндетті емес)"),
    "try_draft": _w("Check the draft", "Проверить проект", "Жобаны тексеру"),
    "check": _w("Problems (ereje check)", "Ошибки (ereje check)", "Қателер (ereje check)"),
    "line": _w("line", "строка", "жол"),
    "no_problems": _w("No problems.", "Ошибок нет.", "Қате жоқ."),
    "cases_rerun": _w("The regulation's cases under the draft", "Примеры нормативного акта с проектом",
                      "Жобамен нормативтік актінің мысалдары"),
    "case": _w("Case", "Пример", "Мысал"),
    "result": _w("Result", "Результат", "Нәтиже"),
    "case_ok": _w("as expected", "как ожидалось", "күтілгендей"),
    "case_failed": _w("not as expected", "не как ожидалось", "күтілгендей емес"),
    "impact": _w("Impact: judged again under the draft", "Последствия: повторная оценка по проекту",
                 "Салдары: жоба бойынша қайта бағалау"),
    "stored_rulings": _w("The last stored rulings", "Последние сохранённые решения", "Соңғы сақталған шешімдер"),
    "uploaded_requests": _w("The uploaded applications", "Загруженные заявления", "Жүктелген өтініштер"),
    "judged": _w("judged", "оценено", "бағаланды"),
    "unchanged": _w("unchanged", "без изменений", "өзгеріссіз"),
    "flipped": _w("outcome changed", "итог изменился", "нәтиже өзгерді"),
    "not_judged": _w("could not be judged", "не удалось оценить", "бағалау мүмкін болмады"),
    "flips_by_requirement": _w("Changed outcomes by requirement", "Изменённые итоги по требованиям",
                               "Талаптар бойынша өзгерген нәтижелер"),
    "flipped_cases": _w("The cases whose outcome changed", "Заявления с изменившимся итогом",
                        "Нәтижесі өзгерген өтініштер"),
    "report_note": _w("Upload a file of applications (JSON array, JSON Lines or CSV): each is judged under every "
                      "version, as `ereje compare --report` does. Nothing is stored.",
                      "Загрузите файл заявлений (массив JSON, JSON Lines или CSV): каждое оценивается по всем "
                      "редакциям, как в `ereje compare --report`. Ничего не сохраняется.",
                      "Өтініштер файлын жүктеңіз (JSON массиві, JSON Lines немесе CSV): әрқайсысы барлық "
                      "редакциялар бойынша бағаланады, `ereje compare --report` сияқты. Ештеңе сақталмайды."),
    "saved_reports": _w("Reports produced on the command line", "Отчёты, созданные в командной строке",
                        "Командалық жолда жасалған есептер"),
    "no_saved_reports": _w("No reports directory (set EREJE_REPORTS_DIR, or make ./reports).",
                           "Каталога отчётов нет (задайте EREJE_REPORTS_DIR или создайте ./reports).",
                           "Есептер каталогы жоқ (EREJE_REPORTS_DIR орнатыңыз немесе ./reports жасаңыз)."),
    "open_report": _w("Open a report file", "Открыть файл отчёта", "Есеп файлын ашу"),
    "open": _w("Open", "Открыть", "Ашу"),
    "report_file": _w("Applications file", "Файл заявлений", "Өтініштер файлы"),
    "show_report": _w("Compare the versions", "Сравнить редакции", "Редакцияларды салыстыру"),
    "whole_report": _w("The same report as a page of its own", "Тот же отчёт отдельной страницей",
                       "Сол есеп жеке бет ретінде"),
    "outcomes_by_version": _w("Outcomes by version", "Итоги по редакциям", "Редакциялар бойынша нәтижелер"),
    "read": _w("read", "прочитано", "оқылды"),
    "changes_by_requirement": _w("Changes by requirement", "Изменения по требованиям", "Талаптар бойынша өзгерістер"),
}
