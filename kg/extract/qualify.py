"""Qualifiers of assertions: the amount, date and stage their clause states, read by the
rules of ``qualifiers:`` (kg/rules/data/qualifiers.yaml) and normalised here; and the events
of a clause that names a project or company with a stage or an investment but no relation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from ..model import Mention, Qualifiers, Relation, Sentence, nested
from ..rules.qualifiers import STAGES, QualifierRule, QualifierSet

CLAUSE_MARKS = re.compile(r"[，；：,;:]")
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
UNITS = {"十": 10, "百": 100, "千": 1000}
BIG = {"万": 10**4, "亿": 10**8}
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
EVENT_TYPES = ("Project", "Company")
MASK = "\u3000"  # an ideographic space stands for each character of a name
DATELINE = re.compile(r"(?:[\s\u3000（）()【】□]|本报讯|本报|记者|通讯员|融媒体|全媒体|讯|电)*")
MASTHEAD_CHARS = 200  # a page's own date is printed in its first lines
PAST_MARGIN_DAYS = 62  # a day without its year more than this after the page's is last year's


@dataclass
class Found:
    kind: str
    start: int
    end: int
    rule: str
    values: dict[str, str]


def number(text: str) -> Decimal | None:
    """5.67亿 -> 567000000, 百亿 -> 10000000000, 三千万 -> 30000000; None when not a number."""
    total, section, num = Decimal(0), Decimal(0), Decimal(0)
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit():
            j = i
            while j < len(text) and (text[j].isdigit() or text[j] in ".,"):
                j += 1
            num = Decimal(text[i:j].replace(",", ""))
            i = j
            continue
        if c in DIGITS:
            num = Decimal(DIGITS[c])
        elif c in UNITS:
            section += (num or Decimal(1)) * UNITS[c]
            num = Decimal(0)
        elif c == "万":
            total += ((section + num) or Decimal(1)) * BIG[c]
            section = num = Decimal(0)
        elif c == "亿":
            total = ((total + section + num) or Decimal(1)) * BIG[c]
            section = num = Decimal(0)
        else:
            return None
        i += 1
    value = total + section + num
    return value if value > 0 else None


def decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


class QualifierReader:
    def __init__(self, qs: QualifierSet, negations: list[str] | None = None, firm_words: list[str] | None = None):
        self.qs = qs
        self.firm_words = firm_words or []
        self.order = {s: i for i, s in enumerate(STAGES)}
        self.negations = sorted(negations or [], key=len, reverse=True)  # 未, 如果: no event in their clause

    # ---- finding -------------------------------------------------------------
    def find(self, text: str, kind: str, today: dt.date | None = None) -> list[Found]:
        """Every reading of ``kind`` in the text, longest first where two overlap."""
        hits = []
        for rule in self.qs.of_kind(kind):
            for m in rule.pattern.finditer(text):
                values = self._values(rule, m, today, text)
                if values is not None:
                    hits.append(Found(kind, m.start(), m.end(), rule.id, values))
        hits.sort(key=lambda f: (f.start, -(f.end - f.start)))
        out: list[Found] = []
        for f in hits:
            if not out or f.start >= out[-1].end:
                out.append(f)
        return out

    def _values(self, rule: QualifierRule, m: re.Match, today, text: str) -> dict[str, str] | None:
        g = {k: v for k, v in m.groupdict().items() if v}
        if rule.kind == "amount":
            return self._amount(rule, g, m, text)
        if rule.kind == "date":
            return self._date(g, m.group(0), today)
        stage = "planned" if "plan" in g else self.qs.stages.get(g.get("stage", ""), "")
        return {"stage": stage, "stage_text": m.group(0)} if stage else None

    def _amount(self, rule: QualifierRule, g: dict, m: re.Match, text: str) -> dict[str, str] | None:
        value = number(g.get("num", "") + g.get("mag", ""))
        if value is None:
            return None
        measure = g.get("measure") or self._measure_before(text, m.start())
        written = text[m.start("mod") if "mod" in g else m.start("num") : m.end()]
        return {
            "amount": decimal_text(value),
            "currency": self.qs.currencies.get(g.get("cur", ""), rule.currency),
            "amount_text": written,
            "modifier": g.get("mod") or g.get("more") or g.get("more2") or "",
            "measure": self.qs.measures.get(measure, ""),
        }

    def _measure_before(self, text: str, at: int) -> str:
        """The measure word ending within a few characters before the amount (总投资约…)."""
        window = text[max(0, at - 8) : at]
        best, end = "", -1
        for w in self.qs.measures:
            k = window.rfind(w)
            if k >= 0 and (k + len(w) > end or (k + len(w) == end and len(w) > len(best))):
                best, end = w, k + len(w)
        return best

    def _date(self, g: dict, written: str, today: dt.date | None) -> dict[str, str] | None:
        year: int | None = int(g["y"]) if "y" in g else None
        month = int(g["m"]) if "m" in g else None
        if "rel" in g:
            year = today.year + self.qs.relative_years[g["rel"]] if today else None
        if "relm" in g:
            if today is None:
                return {"date_text": written, "date": "", "quarter": ""}
            k = today.year * 12 + today.month - 1 + self.qs.relative_months[g["relm"]]
            year, month = k // 12, k % 12 + 1
        day = int(g["d"]) if "d" in g else None
        if year is None and "q" in g and "rel" not in g and today is not None:
            year = today.year  # 一季度: of the page's year
        if year is None and month is not None and today is not None and "rel" not in g:
            year = today.year
            if day is not None and _date_or_none(year, month, day) is not None:
                if (dt.date(year, month, day) - today).days > PAST_MARGIN_DAYS:
                    year -= 1
            elif month > today.month + 2:
                year -= 1
        quarter = QUARTERS.get(g.get("q", ""), (month - 1) // 3 + 1 if month else 0)
        out = {"date_text": written, "date": "", "quarter": f"{year}-Q{quarter}" if year and quarter else ""}
        if year is None:
            return out
        if month is None:
            out["date"] = f"{year:04d}"
        elif day is None:
            out["date"] = f"{year:04d}-{month:02d}"
        else:
            d = _date_or_none(year, month, day)
            if d is None:
                return None  # 2月30日 is no date
            out["date"] = d.isoformat()
        return out

    # ---- reading one assertion ------------------------------------------------
    def qualify(
        self,
        sent: Sentence,
        start: int,
        end: int,
        today: dt.date | None,
        named: list[tuple[int, int]],
        staged: bool = True,
    ) -> Qualifiers:
        """The qualifiers of the evidence [start, end) of ``sent``, read with the names
        (``named``: the spans of the sentence's mentions) masked: each from the evidence's
        clause; a date also from the nearest clause before that is a date alone (3月18日，…);
        a stage only where ``staged`` (a relation that has stages: settling, signing, building)."""
        text = masked(sent.text, named)
        lo, hi = clause_around(text, start, end)
        q = Qualifiers()
        amount = self._amount_of(text, lo, hi)
        if amount is not None:
            _apply(q, amount)
        date = self._date_of(text, lo, hi, today)
        if date is not None:
            _apply(q, date)
        stage = self.stage(text[lo:hi]) if staged else None
        if stage is not None:
            _apply(q, stage)
        return q

    def _amount_of(self, text: str, lo: int, hi: int) -> Found | None:
        """The first amount of the clause [lo, hi), else an investment stated by the clauses
        right after it that name nothing (…签订合同，合同金额达4600万元)."""
        found = self.find(text[lo:hi], "amount")
        if found:
            return found[0]
        for a, b in clauses(text):
            if a < hi:
                continue
            if MASK in text[a:b]:
                return None  # a clause about something else
            after = [f for f in self.find(text[a:b], "amount") if f.values["measure"] == "investment"]
            if after:
                return after[0]
        return None

    def _date_of(self, text: str, lo: int, hi: int, today: dt.date | None) -> Found | None:
        """The first date of the clause [lo, hi), else the nearest one before that is a date
        alone in its clause (3月18日，…: it dates the clauses after it)."""
        dates = self.find(text, "date", today)
        mine = next((f for f in dates if lo <= f.start and f.end <= hi), None)
        if mine is not None:
            return mine
        alone = [f for f in dates if f.end <= lo and _alone(text, f)]
        return alone[-1] if alone else None

    def stage(self, clause: str) -> Found | None:
        """The clause's stage: the furthest one it reports as reached (竣工投产: operating)
        before any word of intent, else a planned one."""
        found = self.find(clause, "stage")
        planned = [f for f in found if f.values["stage"] == "planned"]
        scope = planned[0].start if planned else len(clause)  # an intent covers the rest of its clause
        done = [f for f in found if f.values["stage"] != "planned" and f.start < scope]
        if done:
            return max(done, key=lambda f: self.order.get(f.values["stage"], -1))
        return found[0] if found else None

    # ---- events ---------------------------------------------------------------
    def events(
        self, doc: str, article, sent: Sentence, mentions: list[Mention], today, before: list[Mention] | None = None
    ) -> list[Relation]:
        """One event for each clause that reports a stage or an investment of the project or
        company it is about (see _about); a headline line naming nothing is about the line
        before (``before``: the mentions of the sentence before, in order)."""
        inside = nested(mentions)
        tops = sorted((m for m in mentions if m.entity is not None and id(m) not in inside), key=lambda m: m.start)
        text = masked(sent.text, [(m.start, m.end) for m in mentions])
        out = []
        for lo, hi in clauses(text):
            clause = text[lo:hi]
            if any(w in clause for w in self.negations):
                continue  # 未开工, 如果今年签下…: no event
            stage = self.stage(clause)
            invested = [f for f in self.find(clause, "amount") if f.values["measure"] == "investment"]
            said = [f for f in (stage, invested[0] if invested else None) if f is not None]
            if not said:
                continue
            subject = self._about(sent.text, tops, lo, hi, lo + min(f.start for f in said))
            if subject is None and not tops and sent.kind == "headline":
                subject = next((m for m in before or [] if _typed(m)), None)  # a subtitle of the headline before
            if subject is None or subject.entity is None:
                continue
            if "Project" not in subject.entity.types:  # a firm signs, invests, starts production
                said = [f for f in said if f.kind == "amount" or self._firms(f)]
                if not said:
                    continue
            q = Qualifiers()
            for f in said:
                _apply(q, f)
            date = self._date_of(text, lo, hi, today)
            if date is not None:
                _apply(q, date)
            first = subject.start if subject.sentence is sent and subject.start >= lo else lo
            out.append(Relation(subject.entity, "event", q.stage, "qualify.event", doc, article, sent, first, hi, q))
        return out

    def _firms(self, f: Found) -> bool:
        """A stage a company reaches itself (签约, 投产, 开业), not one only a project does
        (开工, 在建) nor the running of a business (运营, 运行)."""
        return f.values["stage"] == "planned" or any(w in f.values["stage_text"] for w in self.firm_words)

    def _about(self, text: str, tops: list[Mention], lo: int, hi: int, at: int) -> Mention | None:
        """The clause's first mention if it ends before ``at`` (the stage or amount); for a
        clause naming nothing, the first mention of the nearest clause before that names a
        project or company, else the sentence's first mention; a project or company always."""
        own = [m for m in tops if lo <= m.start and m.end <= at]
        if any(lo <= m.start < hi for m in tops):
            return own[0] if own and _typed(own[0]) else None
        before = [m for m in tops if m.end <= lo]
        if not before:
            return None
        last = max(CLAUSE_MARKS.finditer(text, 0, before[-1].start), key=lambda x: x.end(), default=None)
        start = last.end() if last else 0
        for topic in (next(m for m in before if m.start >= start), before[0]):
            if _typed(topic):
                return topic
        return None


def covered(event: Relation, relations: list[Relation]) -> bool:
    """An assertion of the sentence that names the event's entity carries it already: one of
    the event's clause, or one that took the event's amount from the clauses after it."""
    lo, hi = clause_around(event.sentence.text, event.end - 1, event.end)
    q = event.qualifiers
    for r in relations:
        if r.sentence is not event.sentence or (r.subject is not event.subject and r.object is not event.subject):
            continue
        if r.start < hi and lo < r.end:
            return True
        if q is not None and q.amount and not q.stage and r.qualifiers and r.qualifiers.amount == q.amount:
            return True
    return False


def masked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with every name blanked (a stage, a date or an amount inside a name is none:
    X运营管理有限公司, “2023年度X奖”), its offsets kept."""
    chars = list(text)
    for a, b in spans:
        chars[a:b] = MASK * (b - a)
    return "".join(chars)


def _alone(text: str, f: Found) -> bool:
    """The reading is its clause's whole text, but for a dateline before it (3月18日，…;
    本报讯（记者 X）11月20日，…): it dates the clauses after it."""
    lo, hi = clause_around(text, f.start, f.end)
    return f.end == hi and DATELINE.fullmatch(text, lo, f.start) is not None


def _typed(m: Mention) -> bool:
    return m.entity is not None and bool(m.entity.types & set(EVENT_TYPES))


def _apply(q: Qualifiers, f: Found) -> None:
    for k, v in f.values.items():
        setattr(q, k, v)
    q.rules.append(f.rule)


def _date_or_none(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def clauses(text: str) -> list[tuple[int, int]]:
    out, lo = [], 0
    for m in CLAUSE_MARKS.finditer(text):
        out.append((lo, m.start()))
        lo = m.end()
    out.append((lo, len(text)))
    return [(a, b) for a, b in out if b > a]


def clause_around(text: str, start: int, end: int) -> tuple[int, int]:
    """[lo, hi) from the clause mark before ``start`` to the one at or after ``end``."""
    lo = 0
    for m in CLAUSE_MARKS.finditer(text, 0, start):
        lo = m.end()
    nxt = CLAUSE_MARKS.search(text, max(end, start))
    return lo, nxt.start() if nxt else len(text)


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def page_date(raw: str, reader: QualifierReader) -> dt.date | None:
    """The date a page prints in its first lines (its masthead or dateline), with its year."""
    for f in reader.find(raw[:MASTHEAD_CHARS], "date"):
        if len(f.values.get("date", "")) == 10:
            return dt.date.fromisoformat(f.values["date"])
    return None
