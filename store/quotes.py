"""What other people's text looks like in mail: the attribution lines, header blocks,
separators and footers that mail clients write, in the languages our users write in.

Patterns only; ``store.clean`` decides where the writer's own words end. Every pattern is
for one line (or an attribution wrapped over up to three lines, joined with spaces).
"""

from __future__ import annotations

import re

# "… wrote:" in the languages clients localise their attribution into. A space before the
# colon is French typography; "：" is the full-width colon of Chinese and Japanese clients.
_WROTE = (
    r"wrote|writes|schrieb|hat geschrieben|a écrit|écrit|escribió|ha escrito|ha scritto|scrisse"
    r"|escreveu|schreef|heeft geschreven|skrev|skrifaði|napisał\(a\)|napisała|napisał"
    r"|написал\(а\)|написала|написал|пишет|kirjoitti|napsal\(a\)|napsal|yazdı|írta"
    r"|scrise|έγραψε|写道|寫道|写到|寫到|のメッセージ|さんは書きました|が書きました"
    # Present tense, as Thunderbird and Apple Mail write it in some languages.
    r"|pisze|pisał\(a\)|schreibt|escribe|scrive|escreve|schrijft|skriver|kirjoittaa"
)
# The same verbs as plain strings, for a quick test of a line's end.
WROTE_WORDS = tuple(word.replace("\\(", "(").replace("\\)", ")")
                    for word in _WROTE.split("|"))
COLON = r"\s*[:：]"
WROTE_TAIL = re.compile(rf"(?:{_WROTE})\s*(?:[:：]\s*|-{{2,}}\s*|)$", re.I)
# German, Dutch and the Nordic languages put the name after the verb: "Am 22.02.2024 um
# 09:05 schrieb Ute Sommerfeld:", "Op … schreef Joost Visser:", "Den … skrev Åse:".
WROTE_NAME_TAIL = re.compile(rf"\b(?:{_WROTE})\s+[^:：]{{1,120}}[:：]\s*$", re.I)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# "… Anna Berg <anna@example.org>:" (Russian and Japanese Gmail, Yandex, Mail.ru, and a
# bare date line before an address) ends with the address and a colon.
ADDRESS_TAIL = re.compile(rf"(?:<\s*[^<>\s]+@[^<>\s]+\s*>|\(?[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\)?)"
                          rf"\s*[)>]?{COLON}\s*$")
_MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mär|mai|okt|dez|janv|févr|fév|mars"
    r"|avr|juil|août|déc|ene|abr|ago|dic|gen|mag|giu|lug|set|ott|fev|mai|out|dez|mrt|mei"
    r"|okt|maj|sty|lut|kwi|cze|lip|sie|wrz|paź|lis|gru|янв|фев|мар|апр|ма[йя]|июн|июл|авг"
    r"|сен|окт|ноя|дек"
)
DATE_OR_TIME = re.compile(
    rf"\b\d{{1,2}}[:.h]\d{{2}}\b|\d{{4}}年|\d{{1,2}}月|\b\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}}\b"
    rf"|\b\d{{1,2}}\.?\s+(?:{_MONTHS})|\b(?:{_MONTHS})\w*\.?\s+\d{{1,2}}\b",
    re.I,
)
# The words an attribution opens with, where it opens with one.
ATTRIBUTION_LEAD = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:On|At|Am|Le|El|Il giorno|Il|Em|Op|Den|På|W dniu|Dnia|В|Dne|Am|"
    r"\d|\w{2,4}[.,]?\s+\d)",
    re.I,
)

# Header labels of a quoted message, by role, in each language.
HEADER_ROLES = {
    "from": r"From|Von|De|Da|Van|Fra|Från|Od|От|Lähettäjä|Kimden|Feladó|Від|差出人|发件人"
            r"|發件人|寄件者|送信者|Afzender|Remitente|Expéditeur|Mittente|Absender|보낸 사람",
    "sent": r"Sent|Date|Gesendet|Datum|Envoyé|Enviado|Enviada em|Enviada|Fecha|Inviato|Data"
            r"|Verzonden|Verstuurd|Sendt|Dato|Skickat|Wysłano|Wysłane|Отправлено|Дата"
            r"|Lähetetty|Gönderildi|Tarih|送信日時|日付|日時|发送时间|發送時間|时间|日期|時間"
            r"|Sent at|Envoyé le|Enviado el|보낸 날짜",
    "to": r"To|An|À|A|Para|Aan|Til|Till|Do|Кому|Vastaanottaja|Kime|Címzett|宛先|收件人"
          r"|收件者|Destinatario|Destinataire|Empfänger|받는 사람",
    "cc": r"Cc|CC|Bcc|Kopie|Kopi|Kopia|DW|Копия|Kopio|Bilgi|Másolat|抄送|副本|Cópia"
          r"|Copia|Kopie an",
    "subject": r"Subject|Betreff|Objet|Asunto|Oggetto|Assunto|Onderwerp|Emne|Ämne|Temat"
               r"|Тема|Aihe|Konu|Tárgy|件名|主题|主題|Sujet|Titel|제목",
}
_ROLE_OF = {}
for _role, _labels in HEADER_ROLES.items():
    for _label in _labels.split("|"):
        _ROLE_OF[_label.lower()] = _role
_LABELS = "|".join(sorted(_ROLE_OF, key=len, reverse=True))
# "From: …", "> *From:* …", "**Von:** …", "发件人：…".
HEADER_LINE = re.compile(rf"^\s*(?:>\s*)*[*_]{{0,2}}({_LABELS})[*_]{{0,2}}\s*[:：]", re.I)
# Several labels on one line: a header block flattened from HTML.
INLINE_LABEL = re.compile(rf"(?:^|\s)[*_]{{0,2}}({_LABELS})[*_]{{0,2}}\s*[:：]", re.I)


def header_role(line: str) -> str | None:
    match = HEADER_LINE.match(line)
    return _ROLE_OF.get(match.group(1).lower()) if match else None


def inline_roles(line: str) -> set[str]:
    return {_ROLE_OF[m.group(1).lower()] for m in INLINE_LABEL.finditer(line)
            if m.group(1).lower() in _ROLE_OF}


# A separator line with words in it: "-----Original Message-----", "---------- Forwarded
# message ---------", "-------- 転送メッセージ --------", "----- Forwarded by X on … -----".
_FRAMED = re.compile(r"^\s*>?\s*[-=_*]{2,}\s*(.+?)\s*[-=_*]{2,}\s*$|^\s*>?\s*-{3,}\s*(.+?)$")
_FORWARD_WORDS = re.compile(
    r"forward|weitergeleitet|weiterleit|transf[ée]r|réexpédi|reenviad|inoltrat|encaminhad"
    r"|reencaminhad|doorgestuurd|videresendt|vidarebefordra|przekazan|пересыл|пересла"
    r"|переадрес|転送|转发|轉寄|轉發|přeposl|iletil|továbbított",
    re.I,
)
_ORIGINAL_WORDS = re.compile(
    r"original|ursprüngliche|origine|originale|oorspronkelijk|oprindelig|ursprungligt"
    r"|ursprungliga|opprinnelig|oryginaln|исходн|оригинал|原始邮件|原始郵件|元のメッセージ"
    r"|původní|alkuperäinen|reply message|antwort",
    re.I,
)
# "Original Message" alone on a line (BlackBerry, some webmails), in each language.
_ORIGINAL_LINE = re.compile(
    r"^(?:original message|ursprüngliche nachricht|message d'origine|mensaje original"
    r"|messaggio originale|mensagem original|oorspronkelijk bericht|oprindelig meddelelse"
    r"|ursprungligt meddelande|opprinnelig melding|wiadomość oryginalna"
    r"|исходное сообщение|原始邮件|元のメッセージ)\s*[:：]?$", re.I)
# Apple Mail and others open a forward with a sentence of their own.
FORWARD_SENTENCE = re.compile(
    r"^\s*(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht"
    r"|Début du message (?:réexpédié|transféré)|Comienzo del mensaje reenviado"
    r"|Inizio messaggio inoltrato|Início da mensagem (?:reencaminhada|encaminhada)"
    r"|Doorgestuurd bericht begint|Videresendt (?:meddelelse|besked|melding)"
    r"|Vidarebefordrat (?:brev|meddelande)|Początek przekazanej wiadomości"
    r"|Начало переадресованного сообщения|転送されたメッセージ|以下是转发的邮件"
    r"|Forwarded message)\s*[:：]\s*$",
    re.I,
)


def framed_kind(line: str) -> str | None:
    """"forward" or "original" for a separator line that says which, else None; also for
    a short line that announces one ("Inicio del mensaje reenviado:", "Original Message")."""
    match = _FRAMED.match(line)
    if not match:
        bare = line.strip().lstrip(">").strip()
        if 0 < len(bare.split()) <= 6 and len(bare) <= 60:
            if bare.endswith((":", "：")) and _FORWARD_WORDS.search(bare):
                return "forward"
            if _ORIGINAL_LINE.match(bare):
                return "original"
        return None
    inner = match.group(1) or match.group(2) or ""
    if len(inner) > 120:
        return None
    if _FORWARD_WORDS.search(inner):
        return "forward"
    if _ORIGINAL_WORDS.search(inner):
        return "original"
    return None


SIGNATURE_DELIMITER = re.compile(r"^(?:-- ?|--)$")
RULE = re.compile(r"^\s*[_=\-*~]{5,}\s*$")

# Device and app footers: a short line that says a phone, tablet or mail app sent it. By
# shape: a "sent from / from my" phrase in some language, or a device or app name.
_SENT_PHRASE = (
    r"sent (?:from|with|via|using|by)|sent on|get outlook|gesendet (?:von|mit|vom|aus)"
    r"|von meinem|envoy[ée] (?:de|depuis|à partir de|avec|par)|enviado (?:desde|do|de|con|por)"
    r"|enviada (?:desde|do|de)|inviato (?:da|dal|con|tramite)|verzonden (?:vanaf|met|van)"
    r"|verstuurd (?:vanaf|met|van)|sendt (?:fra|med)|skickat (?:från|med)|skickades från"
    r"|wysłane (?:z|ze|przez)|wysłano (?:z|ze)|отправлено (?:с|из|со)|послано с"
    r"|lähetetty|gönderildi|odesláno z|から送信|より送信|で送信|发自|來自我的|从我的|来自我的"
    r"|寄自我的|傳送自|发送自|從我的|从我的|送自"
)
_DEVICES = (
    r"iphone|ipad|ipod|android|samsung|galaxy|htc|huawei|xiaomi|redmi|oneplus|pixel|nokia"
    r"|motorola|sony|xperia|lg|blackberry|windows phone|mobile|mobil|móvil|movil|cellulare"
    r"|celular|telemóvel|smartphone|tablet|handy|телефона?|смартфона?|планшета?|outlook"
    r"|yahoo|gmail|mail\.ru|yandex|яндекс|почты|aol|zoho|proton|tutanota|gmx|web\.de"
    r"|thunderbird|spark|blue ?mail|k-9|fairemail|edison|airmail|mail for windows|mail app"
    r"|携帯|スマートフォン|手机|手機|ポケット|邮箱|郵箱|网易|foxmail|qq|微信|邮件|郵件|メール"
)
FOOTER_PHRASE = re.compile(rf"(?:{_SENT_PHRASE})", re.I)
# "Obtener Outlook para Android", "Outlook for iOS を入手": a mail app and a platform.
FOOTER_APP = re.compile(r"\b(?:outlook|yahoo mail|gmail|spark|bluemail|aol|proton ?mail)\b",
                        re.I)
FOOTER_PLATFORM = re.compile(r"(?:\b(?:ios|android|iphone|ipad|windows( phone)?|mac)\b)",
                             re.I)
FOOTER_DEVICE = re.compile(rf"(?:{_DEVICES})", re.I)
# Lists add a footer after a rule: the list's name, address and a link to leave it.
LIST_WORDS = re.compile(
    r"mailing list|mailinglist|listinfo|mailman|unsubscribe|subscribed to|google groups"
    r"|groups\.|abmelden|austragen|désabonner|desinscri|desuscrib|darse de baja|cancellarti"
    r"|disiscriv|afmelden|avregistrer|avsluta|afmeld|wypisać|отписаться|рассылк"
    r"|配信停止|退订|退訂|lista de correo|liste de diffusion|lista di distribuzione",
    re.I,
)
URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)
