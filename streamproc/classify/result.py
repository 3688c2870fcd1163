"""What the classifier says about one article: plain data, ready for the alert and for `explain`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Evidence:
    """One matched term: the words as written, their sentence, and offsets into the original text."""

    term: str
    sentence: str
    start: int
    end: int
    rule: str  # the lexicon term that matched, as written in the data file

    def to_dict(self) -> dict[str, object]:
        return {"term": self.term, "sentence": self.sentence, "start": self.start, "end": self.end,
                "rule": self.rule}


@dataclass(slots=True)
class CategoryHit:
    name: str
    subtype: str | None = None
    evidence: list[Evidence] = field(default_factory=list)  # the first few (classifier.MAX_EVIDENCE)
    matches: int = 0  # every match that counted, kept as evidence or not


@dataclass(slots=True)
class Suppressed:
    """A match that did not count, and why (negated, hypothetical, page chrome)."""

    role: str
    evidence: Evidence
    reason: str


@dataclass(slots=True)
class Casualties:
    """The event's toll (``killed``, ``injured``: today's, or an earlier report of it where the article
    gives no other), and apart from it a war's or a year's running total the article gives
    (``running_killed``, ``running_injured``): "has killed more than 68,000 since October 2023" is no
    event's toll, and made a ceasefire's alert *critical* when it stood in for one."""
    killed: int | None = None
    injured: int | None = None
    killed_at_least: bool = False
    injured_at_least: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    running_killed: int | None = None
    running_injured: int | None = None


@dataclass(slots=True)
class Classification:
    language: str
    categories: dict[str, CategoryHit]
    casualties: Casualties
    score: float
    severity: str
    severity_reasons: list[str]
    suppressed: list[Suppressed] = field(default_factory=list)
    chrome_lines: set[int] = field(default_factory=set)      # line indices dropped as page chrome
    event_sentences: set[int] = field(default_factory=set)   # sentences holding category evidence
    #: Event sentences whose only evidence is a ceasefire: talks about a truce happen where no fighting is
    #: ("a new round of ceasefire talks in Istanbul"); see the linker.
    truce_only_sentences: set[int] = field(default_factory=set)

    @property
    def is_escalation(self) -> bool:
        return bool(self.categories)
