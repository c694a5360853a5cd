"""High-precision heuristic patterns: the cheap first stage of the injection cascade.

Each rule names the sub-kind it evidences (``override``, ``jailbreak``, ``prompt_extraction``, ``exfiltration``).
A hit is evidence, not a verdict: the scanner adds a calibrated boost to the model's margin for the window around
the hit, so a text that merely *quotes* "ignore previous instructions" (a blog post about injection) can still score
low. Patterns cover en, de, fr, es, it, pt, nl, ru, zh and ja.

Every pattern starts with a literal alternation and bounds every gap (``{0,n}``), so matching stays linear in
practice on long documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OVERRIDE = "override"
JAILBREAK = "jailbreak"
PROMPT_EXTRACTION = "prompt_extraction"
EXFILTRATION = "exfiltration"
KINDS = (OVERRIDE, JAILBREAK, PROMPT_EXTRACTION, EXFILTRATION)

_FLAGS = re.IGNORECASE | re.UNICODE

# Words standing for "the instructions" in the ten languages.
_INSTR_EN = (
    r"(?:instructions?|prompts?|directives?|rules|guidelines|commands|orders|programming|guardrails|constraints)"
)
_W = r"(?:[\w'’-]+\s+)"  # one filler word

_OVERRIDE_PATTERNS = (
    # en: ignore/disregard/forget (all) (the|your) previous/above/prior instructions; "ignore the above and ..."
    rf"\b(?:ignore|disregard|forget|override|bypass|abandon|discard|drop)\s+{_W}{{0,3}}"
    rf"(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer)\s+{_W}{{0,2}}"
    rf"{_INSTR_EN}\b",
    rf"\b(?:ignore|disregard|forget)\s+(?:all|any|every|each)\s+(?:of\s+)?(?:your|the|my)\s+{_W}{{0,1}}{_INSTR_EN}\b",
    r"\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:(?:you\s+were\s+|you've\s+been\s+)?told\s+)?"
    r"(?:above|before|previously|prior|so\s+far|until\s+now)\b",
    r"\b(?:ignore|disregard)\s+the\s+above\s+(?:and|,)",
    r"\bnew\s+(?:system\s+)?instructions?\s*:\s*\S",
    r"\byour\s+(?:new|real|true|only)\s+(?:task|instructions?|goal|objective)\s+(?:is|are)\b",
    # de
    r"\b(?:ignoriere|ignorier|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte|übergehe|verwirf)\s+"
    r"(?:[\w-]+\s+){0,3}(?:anweisungen|instruktionen|befehle|vorgaben|richtlinien|anordnungen|regeln)\b",
    r"\b(?:vergiss|vergessen\s+sie|ignoriere|ignorieren\s+sie)\s+alles\s*(?:,?\s*was|davor|zuvor|bisherige|vorherige|oben)",
    # fr
    r"\b(?:ignore[zs]?|oublie[zs]?|ne\s+tiens\s+pas\s+compte\s+d[eu]s?|ne\s+tenez\s+pas\s+compte\s+d[eu]s?)\s+"
    r"(?:[\w'’-]+\s+){0,3}(?:instructions|consignes|directives|règles|ordres)\b",
    r"\b(?:oublie[zs]?|ignore[zs]?)\s+tout\s+ce\s+qu",
    # es / pt / it (shared verb stems)
    r"\b(?:ignora|ignore|ignorá|olvida|olvide|olvídate\s+de|omite|desconsidera|desconsidere|esqueça|esqueca|"
    r"dimentica|trascura|non\s+considerare)\s+(?:[\w-]+\s+){0,3}"
    r"(?:instrucciones|indicaciones|directrices|reglas|órdenes|instruções|instrucoes|diretrizes|regras|ordens|"
    r"istruzioni|indicazioni|direttive|regole)\b",
    # nl
    r"\b(?:negeer|vergeet|negeert)\s+(?:[\w-]+\s+){0,3}(?:instructies|aanwijzingen|opdrachten|regels|richtlijnen)\b",
    r"\b(?:negeer|vergeet)\s+alles\s+(?:wat|hierboven|daarvoor|eerder)",
    # ru
    r"(?:игнорируй|игнорируйте|проигнорируй|проигнорируйте|забудь|забудьте|не\s+обращай\s+внимания\s+на|отбрось)\s+"
    r"(?:[\w-]+\s+){0,3}(?:инструкци\w*|указани\w*|правил\w*|команд\w*|установк\w*)",
    r"(?:забудь|забудьте|игнорируй)\s+вс[её]\s*(?:,?\s*что|предыдущее|выше|сказанное)",
    # zh
    r"(?:忽略|无视|忘记|忘掉|不要理会|不要遵守|无需遵守)[^。！？\n]{0,10}(?:指令|指示|说明|规则|提示|设定|要求)",
    r"(?:忽略|忘记|无视)(?:以上|上面|之前|前面|先前)(?:的)?(?:所有|一切|全部)?(?:内容)?",
    # ja
    r"(?:指示|命令|ルール|指令|プロンプト|設定)[^。！？\n]{0,8}(?:無視|忘れ)",
    r"(?:以前|前|上記|これまで|今まで)(?:の|に)[^。！？\n]{0,8}(?:無視|忘れ)",
)

_JAILBREAK_PATTERNS = (
    r"\bDAN\b[^\n]{0,60}\b(?:do\s+anything\s+now|mode|jailbreak)",
    r"\bdo\s+anything\s+now\b",
    r"\b(?:developer|dev|god|jailbreak|unrestricted|unfiltered|evil|chaos|opposite)\s+mode\s+"
    r"(?:enabled|activated|on|engaged|is\s+now\s+active)\b",
    r"\b(?:enable|activate|enter|switch\s+to)\s+(?:developer|god|jailbreak|unrestricted|unfiltered|dan)\s+mode\b",
    r"\b(?:you\s+are|you're|act\s+as|pretend\s+to\s+be|become)\s+(?:now\s+)?(?:an?\s+)?(?:unrestricted|unfiltered|"
    r"uncensored|amoral|unethical|jailbroken|rogue)\s+(?:ai|assistant|model|chatbot|version|persona)\b",
    r"\b(?:you\s+are|you're)\s+(?:now\s+)?(?:free\s+from|no\s+longer\s+(?:bound|restricted|limited)\s+by)\b",
    r"\b(?:without|no|free\s+of)\s+(?:any\s+)?(?:ethical|moral|content|safety)\s+"
    r"(?:guidelines|restrictions|limits|limitations|filters|constraints|boundaries|policies)\b",
    r"\bstay\s+in\s+character\b",
    r"\b(?:ignore|bypass|disable|turn\s+off|circumvent)\s+(?:all\s+|your\s+|the\s+)*(?:safety|content)\s+"
    r"(?:filters?|guidelines|policies|restrictions|protocols|measures)\b",
    r"\[\s*(?:🔓|jailbreak|dan)\s*\]",
    # de / fr / es / it / pt / nl / ru / zh / ja: developer mode and "no restrictions / no filter" personas
    r"\b(?:entwicklermodus|mode\s+développeur|modo\s+(?:de\s+)?desarrollador|modalità\s+sviluppatore|"
    r"modo\s+(?:de\s+)?desenvolvedor|ontwikkelaarsmodus|режим\s+разработчика)\b",
    r"\b(?:ohne|keine)\s+(?:jegliche\s+|irgendwelche\s+)?(?:ethischen\s+|moralischen\s+)?"
    r"(?:einschränkungen|zensur|filter)\b[^.\n]{0,40}\b(?:antworte|antwortest|bist|sei)\b",
    r"\b(?:du\s+bist|sei)\s+(?:jetzt|nun|ab\s+sofort)\s+(?:eine?\s+)?(?:ki|assistent|modell)\s+ohne\b",
    r"\b(?:tu\s+es|tu\s+es\s+maintenant|sois|agis\s+comme)\s+(?:une?\s+)?(?:ia|assistant|modèle)\s+"
    r"(?:sans|libre\s+de)\s+(?:aucune?\s+)?(?:restriction|filtre|censure|limite|règle)",
    r"\b(?:eres|sé|actúa\s+como)\s+(?:ahora\s+)?(?:una?\s+)?(?:ia|asistente|modelo)\s+sin\s+"
    r"(?:ninguna\s+)?(?:restricci|filtro|censura|límite|regla)",
    r"\b(?:sei|agisci\s+come)\s+(?:ora\s+)?(?:una?\s+)?(?:ia|assistente|modello)\s+senza\s+"
    r"(?:alcuna\s+|nessuna\s+)?(?:restrizion|filtr|censura|limit|regol)",
    r"\b(?:você\s+é|és|seja|aja\s+como)\s+(?:agora\s+)?(?:uma?\s+)?(?:ia|assistente|modelo)\s+sem\s+"
    r"(?:nenhuma\s+|qualquer\s+)?(?:restriç|filtro|censura|limite|regra)",
    r"\b(?:je\s+bent|wees)\s+(?:nu\s+)?(?:een\s+)?(?:ai|assistent|model)\s+zonder\s+(?:enige\s+)?"
    r"(?:beperking|filter|censuur|regel)",
    r"(?:ты|вы)\s+(?:теперь\s+)?(?:[\w-]+\s+){0,2}(?:ии|ассистент|модель|бот)\s+без\s+"
    r"(?:каких-либо\s+|всяких\s+|любых\s+)?(?:ограничений|фильтров|цензуры|правил)",
    r"(?:开发者模式|越狱模式|不受任何限制的AI|没有任何限制的AI|你现在是[^。\n]{0,10}没有(?:任何)?(?:限制|约束|道德))",
    r"(?:開発者モード|脱獄モード|制限のないAI|制限を受けないAI|フィルターのないAI)",
)

_EXTRACTION_PATTERNS = (
    r"\b(?:reveal|show|print|repeat|output|display|tell|give|share|leak|dump|disclose|write\s+out|spell\s+out|"
    r"recite|paste|list)\s+(?:me\s+|us\s+)?(?:all\s+(?:of\s+)?)?your\s+(?:(?:full|complete|entire|exact|original|"
    r"initial|hidden|secret|internal|underlying|system|verbatim)\s+){0,3}"
    r"(?:system\s+prompt|prompt|instructions|system\s+message|guidelines|pre-?prompt|configuration|rules)\b",
    r"\b(?:reveal|show|print|repeat|output|display|leak|dump|disclose|recite)\s+(?:me\s+)?the\s+"
    r"(?:(?:full|complete|entire|exact|original|initial|hidden|secret)\s+){0,2}"
    r"(?:system\s+prompt|system\s+message|initial\s+prompt|hidden\s+prompt|pre-?prompt|hidden\s+instructions)\b",
    r"\bwhat\s+(?:is|was|are|were)\s+your\s+(?:(?:original|initial|exact|full|hidden|secret)\s+){0,2}"
    r"(?:system\s+prompt|instructions|prompt)\b",
    r"\b(?:repeat|print|output|copy)\s+(?:all\s+|everything\s+|the\s+)?(?:words|text|everything|content)\s+"
    r"(?:above|before\s+this|preceding)\b",
    r"\b(?:starting|beginning)\s+with\s+[\"'“]?you\s+are\b",
    # de
    r"\b(?:zeige?|gib|nenne|verrate|wiederhole|enthülle|gib\s+aus|drucke)\s+(?:mir\s+)?(?:deinen?|deine|ihren?|ihre)\s+"
    r"(?:(?:vollständigen?|ursprünglichen?|geheimen?|versteckten?|internen?)\s+)?"
    r"(?:system-?prompt|systemanweisung(?:en)?|anweisungen|instruktionen|prompt|vorgaben)\b",
    # fr
    r"\b(?:révèle|révélez|montre|montrez|affiche|affichez|répète|répétez|donne|donnez)(?:-moi)?\s+"
    r"(?:ton|tes|votre|vos)\s+(?:prompt|invite|instructions|consignes)\s*(?:système|initiales?|d'origine|cachées?)?",
    # es
    r"\b(?:revela|revélame|muestra|muéstrame|dime|repite|enséñame|imprime)\s+(?:tu|tus)\s+"
    r"(?:prompt|instrucciones|indicaciones)\s*(?:del\s+sistema|de\s+sistema|iniciales|originales|ocultas)?",
    # it
    r"\b(?:rivela|rivelami|mostra|mostrami|ripeti|dimmi|stampa)\s+(?:il\s+tuo|le\s+tue|i\s+tuoi)\s+"
    r"(?:prompt|istruzioni)\s*(?:di\s+sistema|iniziali|originali|nascoste)?",
    # pt
    r"\b(?:revele|revela|mostre|mostra|repita|diga|imprima)(?:-me)?\s+(?:o\s+seu|seu|suas|as\s+suas|o\s+teu|teu|tuas)\s+"
    r"(?:prompt|instruções|instrucoes)\s*(?:do\s+sistema|de\s+sistema|iniciais|originais|ocultas)?",
    # nl
    r"\b(?:toon|herhaal|geef|onthul|laat)\s+(?:me\s+|mij\s+)?(?:je|jouw|uw)\s+"
    r"(?:systeemprompt|prompt|instructies|systeeminstructies|oorspronkelijke\s+instructies)\b",
    # ru
    r"(?:покажи|покажите|раскрой|выведи|повтори|напиши|скажи|сообщи)\s+(?:мне\s+)?(?:свой|свои|твой|твои|ваш|ваши)?\s*"
    r"(?:системн\w+\s+|исходн\w+\s+|скрыт\w+\s+|первоначальн\w+\s+)(?:промпт\w*|подсказк\w*|инструкци\w*)",
    r"(?:покажи|раскрой|выведи|повтори)\s+(?:мне\s+)?(?:свой|свои|твой|твои)\s+(?:промпт\w*|инструкци\w*)",
    # zh
    r"(?:显示|告诉我|输出|重复|泄露|透露|打印|给我看|展示)[^。！？\n]{0,6}"
    r"(?:系统提示|系统提示词|提示词|初始指令|原始指令|系统指令|系统消息|隐藏指令)",
    # ja
    r"(?:システムプロンプト|初期指示|元の指示|最初の指示|隠された指示|システムメッセージ)[^。！？\n]{0,10}"
    r"(?:教えて|表示|見せて|出力|繰り返|公開|開示)",
)

_SENSITIVE = (
    r"(?:conversation|chat\s+history|chat\s+log|message\s+history|previous\s+messages|system\s+prompt|api\s+keys?|"
    r"credentials|passwords?|secrets?|access\s+tokens?|session\s+tokens?|user\s+data|personal\s+data|"
    r"gespräch|konversation|chatverlauf|verlauf|passwort|passwörter|zugangsdaten|api-schlüssel|"
    r"historique|mot\s+de\s+passe|identifiants|clés?\s+api|conversación|historial|contraseñas?|credenciales|"
    r"conversazione|cronologia|credenziali|conversa|histórico|senhas?|credenciais|gesprek|chatgeschiedenis|"
    r"wachtwoord|inloggegevens|переписк\w*|истори\w+|парол\w+|ключ\w*|учетн\w+\s+данн\w+)"
)
_TARGET = r"(?:https?://|ftp://|[\w.+-]+@[\w-]+\.[\w.]+|webhook)"
_SEND = (
    r"(?:send|post|forward|upload|transmit|exfiltrate|email|e-mail|submit|copy|append|include|encode|"
    r"sende|schicke|übermittle|leite|lade|envoie|envoyez|transmets|transmettez|transfère|ajoute|envía|envia|manda|"
    r"reenvía|adjunta|invia|manda|inoltra|aggiungi|envie|mande|encaminhe|anexe|stuur|verstuur|upload|voeg|"
    r"отправь|отправьте|перешли|пошли|загрузи|добавь)"
)

_EXFILTRATION_PATTERNS = (
    # markdown image whose URL carries a query built from conversation data / a placeholder
    r"!\[[^\]\n]{0,100}\]\(\s*https?://[^\s)]{1,200}[?&/](?:[\w-]{0,20}=)?[^\s)]{0,80}"
    r"(?:\{|%7b|\$\{|<|\[)[^\s)]{0,120}\)",
    r"!\[[^\]\n]{0,100}\]\(\s*https?://[^\s)]{1,200}[?&](?:data|q|query|conv|conversation|chat|history|secret|key|"
    r"token|password|pw|content|msg|message|info|leak|payload|prompt|memory)=[^\s)]{0,200}\)",
    rf"\b{_SEND}\b[^\n]{{0,100}}?{_SENSITIVE}[^\n]{{0,100}}?{_TARGET}",
    rf"\b{_SEND}\b[^\n]{{0,60}}?{_TARGET}[^\s]{{0,120}}[^\n]{{0,60}}?{_SENSITIVE}",
    # zh / ja: object first, verb after
    r"(?:对话|聊天记录|会话内容|密码|密钥|凭据|系统提示|会話|履歴|パスワード|キー|認証情報)[^。\n]{0,40}"
    r"(?:https?://|[\w.+-]+@[\w-]+\.[\w.]+)[^\s。\n]{0,100}[^。\n]{0,20}(?:发送|发到|转发|上传|送信|送って|転送|アップロード)",
    r"(?:发送|发到|转发|上传|送信|転送)[^。\n]{0,30}(?:对话|聊天记录|会话内容|密码|密钥|凭据|系统提示|会話|履歴|パスワード|認証情報)"
    r"[^。\n]{0,40}(?:https?://|[\w.+-]+@[\w-]+\.[\w.]+)",
    r"https?://[^\s。\n]{0,100}[^。\n]{0,20}(?:に|へ|到|至)[^。\n]{0,20}"
    r"(?:对话|聊天记录|会话内容|密码|密钥|凭据|系统提示|会話|履歴|パスワード|認証情報)[^。\n]{0,20}"
    r"(?:发送|发到|转发|上传|送信|送って|転送|アップロード)",
)


_META = set("\\[](){}?*+.|^$")
_QUANTIFIERS = set("?*{")


def _literal_prefix(alternative: str) -> str:
    """The literal characters an alternative starts with (lower-cased); empty when it starts with a metachar."""
    out: list[str] = []
    for i, ch in enumerate(alternative):
        if ch in _META:
            if ch in _QUANTIFIERS and out:
                out.pop()  # the previous character is optional
            break
        out.append(ch)
        if i + 1 == len(alternative):
            break
    return "".join(out).lower().strip()


def _split_first_group(pattern: str) -> list[str] | None:
    """Alternatives of the leading ``(?:...)`` group, or ``None`` when the pattern does not start with one."""
    if not pattern.startswith("(?:"):
        return None
    depth, start, parts = 0, 3, []
    i = 3
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                parts.append(pattern[start:i])
                return parts
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return None


def triggers_of(pattern: str) -> tuple[str, ...]:
    """Literal substrings one of which every match contains (lower-cased); ``()`` when none can be derived."""
    body = pattern.removeprefix(r"\b")
    alternatives = _split_first_group(body)
    prefixes = [_literal_prefix(a) for a in alternatives] if alternatives is not None else [_literal_prefix(body)]
    if not prefixes or any(not p for p in prefixes):
        return ()
    return tuple(sorted(set(prefixes)))


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    triggers: tuple[str, ...]
    """Cheap pre-filter: the rule runs only when the lower-cased text contains one of these (empty: always runs)."""
    requires: tuple[str, ...] = ()
    """A second pre-filter of the same kind (for example a URL marker for exfiltration rules)."""

    def may_match(self, present: frozenset[str]) -> bool:
        """``present``: the trigger and requirement words found in the text (see :func:`match_rules`)."""
        if self.triggers and present.isdisjoint(self.triggers):
            return False
        return not self.requires or not present.isdisjoint(self.requires)


@dataclass(frozen=True, slots=True)
class RuleHit:
    kind: str
    start: int
    end: int


def _compile(kind: str, patterns: tuple[str, ...], requires: tuple[str, ...] = ()) -> tuple[Rule, ...]:
    return tuple(Rule(kind, re.compile(p, _FLAGS), triggers_of(p), requires) for p in patterns)


RULES: tuple[Rule, ...] = (
    *_compile(OVERRIDE, _OVERRIDE_PATTERNS),
    *_compile(JAILBREAK, _JAILBREAK_PATTERNS),
    *_compile(PROMPT_EXTRACTION, _EXTRACTION_PATTERNS),
    *_compile(EXFILTRATION, _EXFILTRATION_PATTERNS, requires=("http", "ftp:", "@", "webhook")),
)


def _positions(lowered: str, needles: tuple[str, ...]) -> list[int]:
    found: set[int] = set()
    for needle in needles:
        pos = lowered.find(needle)
        while pos >= 0:
            found.add(pos)
            pos = lowered.find(needle, pos + 1)
    return sorted(found)


def _rule_matches(rule: Rule, text: str, lowered: str) -> list[RuleHit]:
    """Matches of one rule, tried only where one of its trigger words starts (``str.find`` is far cheaper than a
    regex scan over every position of a long document)."""
    if not rule.triggers or len(lowered) != len(text):
        return [RuleHit(rule.kind, m.start(), m.end()) for m in rule.pattern.finditer(text)]
    hits: list[RuleHit] = []
    end = -1
    for pos in _positions(lowered, rule.triggers):
        if pos < end:
            continue
        m = rule.pattern.match(text, pos)
        if m is not None:
            hits.append(RuleHit(rule.kind, m.start(), m.end()))
            end = m.end()
    return hits


def _words_of(rules: tuple[Rule, ...]) -> tuple[str, ...]:
    return tuple(sorted({w for rule in rules for w in (*rule.triggers, *rule.requires)}))


_RULE_WORDS = _words_of(RULES)


def match_rules(text: str, rules: tuple[Rule, ...] = RULES) -> list[RuleHit]:
    """Non-overlapping matches of every rule, in rule order."""
    lowered = text.lower()
    words = _RULE_WORDS if rules is RULES else _words_of(rules)
    present = frozenset(w for w in words if w in lowered)
    return [hit for rule in rules if rule.may_match(present) for hit in _rule_matches(rule, text, lowered)]
