"""The messages that name what is wrong with a field, in Russian and Kazakh.

marshmallow and the request schemas word every field error in English (the
contract's words, which clients match on); a person reading an error in ru or kk
gets it in that language. A message not listed here stays as written.
"""
import re

from server.languages import text_in

# (English message as a pattern, {ru, kk} with the pattern's groups as \1, \2)
_PATTERNS = [(re.compile(p), t) for p, t in (
    (r"Missing data for required field\.", {"ru": "Обязательное поле не заполнено.", "kk": "Міндетті өріс толтырылмаған."}),
    (r"Unknown field\.", {"ru": "Неизвестное поле.", "kk": "Белгісіз өріс."}),
    (r"Field may not be null\.", {"ru": "Поле не может быть null.", "kk": "Өріс null бола алмайды."}),
    (r"Not a valid integer\.", {"ru": "Не целое число.", "kk": "Бүтін сан емес."}),
    (r"Not a valid string\.", {"ru": "Не текст.", "kk": "Мәтін емес."}),
    (r"Invalid input type\.", {"ru": "Неверный тип значения.", "kk": "Мәннің түрі қате."}),
    (r"Not a valid list\.", {"ru": "Не список.", "kk": "Тізім емес."}),
    (r"Must be one of: (.*)\.", {"ru": r"Должно быть одним из: \1.", "kk": r"Мына мәндердің бірі болуы тиіс: \1."}),
    (r"Must be exactly 12 digits\.", {"ru": "Должно состоять ровно из 12 цифр.", "kk": "Дәл 12 цифрдан тұруы тиіс."}),
    (r"Check digit does not match \(CONTRACT s\.2\)\.", {"ru": "Контрольная цифра не совпадает (CONTRACT, раздел 2).",
                                                          "kk": "Бақылау цифры сәйкес келмейді (CONTRACT, 2-бөлім)."}),
    (r"Must not contain NUL characters\.", {"ru": "Не должно содержать символ NUL.", "kk": "NUL таңбасы болмауы тиіс."}),
    (r"Not a valid boolean; expected true or false\.", {"ru": "Не логическое значение; ожидается true или false.",
                                                        "kk": "Логикалық мән емес; true немесе false күтіледі."}),
    (r"Not a valid date: (.*); expected YYYY-MM-DD\.", {"ru": r"Неверная дата: \1; ожидается ГГГГ-ММ-ДД.",
                                                        "kk": r"Күн қате: \1; ЖЖЖЖ-АА-КК пішімі күтіледі."}),
    (r"Out of range: (.*); dates must lie within (.*)\.", {"ru": r"Вне допустимого диапазона: \1; даты должны лежать в пределах \2.",
                                                           "kk": r"Рұқсат етілген аралықтан тыс: \1; күндер \2 аралығында болуы тиіс."}),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.",
     {"ru": r"Должно быть от \1 до \2.", "kk": r"\1 мен \2 аралығында болуы тиіс."}),
    (r"Must be greater than or equal to (\S+)\.", {"ru": r"Должно быть не меньше \1.", "kk": r"\1 мәнінен кем болмауы тиіс."}),
    (r"Must be less than or equal to (\S+)\.", {"ru": r"Должно быть не больше \1.", "kk": r"\1 мәнінен аспауы тиіс."}),
    (r"Shorter than minimum length (\d+)\.", {"ru": r"Короче минимальной длины \1.", "kk": r"Ең аз ұзындығы \1 мәнінен қысқа."}),
    (r"Required for route general \(1\.\.4\)\.", {"ru": "Обязательно для маршрута general (1..4).",
                                                  "kk": "general бағыты үшін міндетті (1..4)."}),
    (r"Required for route general\.", {"ru": "Обязательно для маршрута general.", "kk": "general бағыты үшін міндетті."}),
    (r"Must be absent for route (\w+)\.", {"ru": r"Должно отсутствовать для маршрута \1.", "kk": r"\1 бағыты үшін болмауы тиіс."}),
    (r"Required when kind is extension: the permit being extended\.",
     {"ru": "Обязательно при продлении (kind extension): продлеваемое разрешение.",
      "kk": "Ұзарту кезінде (kind extension) міндетті: ұзартылатын рұқсат."}),
    (r"Must be absent when kind is issue\.", {"ru": "Должно отсутствовать при выдаче (kind issue).",
                                              "kk": "Беру кезінде (kind issue) болмауы тиіс."}),
    (r"Must be after issued_on\.", {"ru": "Должно быть позже issued_on.", "kk": "issued_on күнінен кейін болуы тиіс."}),
    (r"Required for route intracompany_transfer when kind is issue\.",
     {"ru": "Обязательно для маршрута intracompany_transfer при выдаче (kind issue).",
      "kk": "intracompany_transfer бағыты бойынша беру кезінде (kind issue) міндетті."}),
    (r"Must be an ISO 3166-1 alpha-3 country code \(three capital letters, e\.g\. DEU\)\.",
     {"ru": "Должно быть кодом страны ISO 3166-1 alpha-3 (три заглавные буквы, например DEU).",
      "kk": "ISO 3166-1 alpha-3 ел коды болуы тиіс (үш бас әріп, мысалы DEU)."}),
    (r"Given more than once\.", {"ru": "Указано более одного раза.", "kk": "Бірнеше рет көрсетілген."}),
    (r"Must be (.+): the quota consulted is the application's .*",
     {"ru": r"Должно быть \1: учитывается квота заявления (регион, год submitted_on, категория или seasonal); "
            "эта запись относится к другой квоте.",
      "kk": r"\1 болуы тиіс: өтініштің квотасы қаралады (өңір, submitted_on жылы, санат немесе seasonal); "
            "бұл жазба басқа квотаға қатысты."}),
)]


def field_message(message, lang):
    """`message` in `lang` where it is known; as written otherwise (and always in English)."""
    if lang == "en":
        return message
    for pattern, texts in _PATTERNS:
        m = pattern.fullmatch(message)
        if m:
            return m.expand(text_in(texts, lang))
    return message


def field_messages(fields, lang):
    """Every message of an error's `fields` in `lang`."""
    return {path: [field_message(m, lang) for m in msgs] for path, msgs in fields.items()}
