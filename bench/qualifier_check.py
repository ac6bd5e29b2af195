"""Which stated investments and dated stages no assertion carries (a script, not a test).

Usage:
    python bench/qualifier_check.py FILE_OR_FOLDER... [--date YYYY-MM-DD]

For every clause of every sentence that states an investment (总投资, 投资, 签约金额 …) or a
dated 签约/开工/竣工/投产 statement, checks that an assertion of that sentence (a relation, a
planned one or an event) carries the amount, or the date with a stage; prints each miss
with its sentence, whether the clause names a project or company (only those are kg's to
carry), and the totals.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract.pipeline import extractor  # noqa: E402
from kg.extract.qualify import clauses, masked  # noqa: E402
from kg.text.reader import dated, read_sources  # noqa: E402

REACHED = ("signed", "started", "completed", "operating")


def check(doc, ex) -> tuple[int, list[str]]:
    res = ex.process(doc)
    reader = ex.qualifiers
    said = [r for r in res.relations + res.planned + res.events if r.qualifiers]
    total, misses = 0, []
    for art in res.articles:
        for sent in art.sentences:
            spans = [(m.start, m.end) for m in res.mentions if m.sentence is sent and m.entity is not None]
            named = {m.entity.name for m in res.mentions if m.sentence is sent and m.entity is not None
                     and m.entity.types & {"Project", "Company"}}  # fmt: skip
            text = masked(sent.text, spans)
            mine = [r.qualifiers for r in said if r.sentence is sent]
            for lo, hi in clauses(text):
                for a in reader.find(text[lo:hi], "amount"):
                    if a.values["measure"] != "investment":
                        continue
                    total += 1
                    if not any(q.amount == a.values["amount"] for q in mine):
                        misses.append(_line("amount", a.values["amount_text"], named, sent.text, doc.id))
                stage, dates = reader.stage(text[lo:hi]), reader.find(text[lo:hi], "date")
                if stage is not None and dates and stage.values["stage"] in REACHED:
                    total += 1
                    written = dates[0].values["date_text"]
                    if not any(q.date_text == written and q.stage for q in mine):
                        misses.append(_line("dated " + stage.values["stage"], written, named, sent.text, doc.id))
    return total, misses


def _line(kind: str, what: str, named: set[str], sentence: str, doc: str) -> str:
    who = "names " + "、".join(sorted(named)) if named else "names no project or company"
    return f"{doc}\t{kind}\t{what}\t{who}\t{sentence[:160]}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sources", nargs="+")
    ap.add_argument("--date", default=None)
    args = ap.parse_args()
    ex = extractor()
    total, misses = 0, []
    for doc in read_sources(args.sources):
        n, m = check(dated(doc, args.date), ex)
        total, misses = total + n, misses + m
    for line in misses:
        print(line)
    tied = sum(1 for line in misses if "\tnames no project" not in line)
    print(f"{len(misses)} of {total} statements carried by no assertion; {tied} of them in a sentence naming a "
          f"project or company")  # fmt: skip


if __name__ == "__main__":
    main()
