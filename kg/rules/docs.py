"""The rule set as a Markdown page (docs/rules.md is made by `kg rules --markdown`)."""

from __future__ import annotations

from .engine import describe
from .load import Example, RuleSet


def markdown(rules: RuleSet) -> str:
    out = [
        "# kg's rules",
        "",
        "Made by `kg rules --markdown > docs/rules.md` from `kg/rules/data/*.yaml`; do not edit by hand.",
        "Every example below is run through the whole rule set by `kg rules` and the tests.",
        "",
    ]
    out += ["## Relation rules", ""]
    for r in rules.relation_rules:
        out.append(f"### `{r.id}` — {r.relation}")
        out.append("")
        out.append(_one_line(r.description))
        out.append("")
        if r.pattern:
            out += ["```", describe(r.pattern), "```", ""]
        out += _examples(r.match, r.no_match)
    out += ["## Entity rules", ""]
    for e in rules.entity_rules:
        out.append(f"### `{e.id}` — {e.type or 'by list head'}, {e.kind}")
        out.append("")
        out.append(_one_line(e.description))
        out.append("")
        if e.suffixes:
            out += [f"Suffixes: {'、'.join(e.suffixes)}", ""]
        if e.pattern_src:
            out += ["```", e.pattern_src, "```", ""]
        out += _examples(e.match, e.no_match)
    out += ["## Qualifier rules", "", "Amounts, dates and stages on assertions (`qualifiers:` in the rule files).", ""]
    for q in rules.qualifiers.rules:
        out += [f"### `{q.id}` — {q.kind}", "", _one_line(q.description), "", "```", q.pattern.pattern, "```", ""]
        for x in q.match:
            on = f" (document of {x.document_date})" if x.document_date else ""
            read = ", ".join(f"{k} {v}" for k, v in x.want.items())
            out.append(f"- ✓ {_one_line(x.text)}{on} → {read}")
        out += [f"- ✗ {_one_line(x.text)}" for x in q.no_match] + [""]
    out += ["## Vocabulary lists", "", "| list | words | first words |", "|---|---|---|"]
    for name in sorted(rules.vocab):
        words = rules.vocab[name]
        out.append(f"| `{name}` | {len(words)} | {_cell('、'.join(words[:8]))}{' …' if len(words) > 8 else ''} |")
    return "\n".join(out) + "\n"


def _examples(match: list[Example], no_match: list[Example]) -> list[str]:
    lines = []
    for ex in match:
        found = "; ".join(" ".join(t) for t in ex.relations) or "、".join(ex.mentions)
        lines.append(f"- ✓ {_one_line(ex.text)} → {found or 'nothing'}")
    for ex in no_match:
        lines.append(f"- ✗ {_one_line(ex.text)}")
    return lines + [""] if lines else []


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
