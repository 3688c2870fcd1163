"""Every link from the README and ``docs/`` to a heading (``#anchor``) lands on one.

The README points into ``docs/performance.md`` and ``docs/quality.md`` by heading, and headings get
renamed as figures change: a broken anchor silently drops the reader at the top of a long page.
Anchors are made as GitHub makes them (lower case, punctuation dropped, spaces to hyphens, ``-1``,
``-2`` for repeats).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_LINK = re.compile(r"\]\(([^)#\s]*)#([^)\s]+)\)")


def anchors(text: str) -> set[str]:
    """The anchors of a Markdown page's headings (code blocks skipped)."""
    out: set[str] = set()
    seen: dict[str, int] = {}
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING.match(line)
        if m is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def test_heading_anchors_are_made_as_github_makes_them():
    assert anchors("## The README's last `make bench` of 2026-11-27, late night\n## A\n## A") == {
        "the-readmes-last-make-bench-of-2026-11-27-late-night", "a", "a-1"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_link_to_a_heading_finds_it(page: Path):
    broken = []
    for target, anchor in _LINK.findall(page.read_text("utf-8")):
        if target.startswith(("http://", "https://")):
            continue
        path = (page.parent / target).resolve() if target else page
        if not path.is_file():
            broken.append(f"{target}#{anchor}: no such file")
        elif anchor not in anchors(path.read_text("utf-8")):
            broken.append(f"{target or page.name}#{anchor}: no such heading")
    assert not broken, broken
