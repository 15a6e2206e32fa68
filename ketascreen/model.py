"""The questionnaire as frozen values, built only from a file that passed every check."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum


class Severity(Enum):
    """Flag severities, most pressing first; ``heading`` is the wording used in print."""

    URGENT = "urgent"
    CONTRAINDICATION = "contraindication"
    PRECAUTION = "precaution"
    HISTORY = "history"
    LOGISTICS = "logistics"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    @property
    def heading(self) -> str:
        return _SEVERITY_HEADINGS[self]


_SEVERITY_HEADINGS = {
    Severity.URGENT: "urgent — same-day clinician attention",
    Severity.CONTRAINDICATION: "possible contraindication",
    Severity.PRECAUTION: "precaution",
    Severity.HISTORY: "relevant history",
    Severity.LOGISTICS: "logistics",
}


@dataclass(frozen=True)
class Text:
    """Text people read, in one or more languages; ``default`` is the file's language."""

    translations: tuple[tuple[str, str], ...]
    default: str

    @classmethod
    def plain(cls, value: str, language: str = "en") -> Text:
        return cls(((language, value),), language)

    def get(self, language: str | None = None) -> str:
        found = dict(self.translations)
        if language and language in found:
            return found[language]
        return found[self.default]

    def has(self, language: str | None) -> bool:
        """Whether this text is written in ``language`` (None or the file's language: always)."""
        return not language or language == self.default or language in dict(self.translations)

    def __str__(self) -> str:
        return self.get()


# --- conditions -------------------------------------------------------------------------------

COMPARISON_OPERATORS = ("equals", "not_equals", "above", "at_least", "below", "at_most", "one_of", "includes")
ORDER_OPERATORS = ("above", "at_least", "below", "at_most")
Value = bool | int | float | str


@dataclass(frozen=True)
class Compare:
    """``{question: ID, OPERATOR: VALUE}`` or ``{score: ID, OPERATOR: VALUE}``."""

    subject: str  # "question" or "score"
    ref: str
    operator: str
    value: Value | tuple[Value, ...]


@dataclass(frozen=True)
class Answered:
    """``{question: ID, answered: true|false}``: has the question a value (not unknown/declined/open)?"""

    ref: str
    expected: bool


@dataclass(frozen=True)
class FlagRef:
    """``{flag: ID}``, in a flag's rule: holds when that other flag is raised (true, false or unknown
    like any rule), so one flag can say "and not already that one"."""

    ref: str


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Compare | Answered | FlagRef | AllOf | AnyOf | Not


# --- the questionnaire ------------------------------------------------------------------------


@dataclass(frozen=True)
class Coding:
    """A code from a published code system (LOINC, SNOMED CT, ...) carried into exports."""

    system: str
    code: str
    display: str | None = None


@dataclass(frozen=True)
class Choice:
    code: str
    label: Text
    codes: tuple[Coding, ...] = ()


@dataclass(frozen=True)
class ScaleOption:
    score: int
    label: Text
    codes: tuple[Coding, ...] = ()


class QuestionType(StrEnum):
    """The kinds of answer a question takes (the format's ``type:``)."""

    YES_NO = "yes_no"
    INTEGER = "integer"
    NUMBER = "number"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    SCALE = "scale"
    DATE = "date"
    TEXT = "text"


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    text: Text
    label: Text
    section: str
    help: Text | None = None
    required: bool = True
    accepts_unknown: bool = True
    accepts_declined: bool = True
    unit: str | None = None
    min: int | float | None = None
    max: int | float | None = None
    choices: tuple[Choice, ...] = ()
    options: tuple[ScaleOption, ...] = ()
    scale: str | None = None
    when: Condition | None = None
    header: bool = False  # shown in the summary's header (weight, planned treatment) rather than feeding a rule
    codes: tuple[Coding, ...] = ()
    untranslated: tuple[tuple[str, str], ...] = ()  # (language, the notice staff see) when knowingly not translated

    def untranslated_notice(self, language: str | None) -> str | None:
        return dict(self.untranslated).get(language) if language else None


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    questions: tuple[Question, ...]
    intro: Text | None = None
    source: Text | None = None
    when: Condition | None = None
    codes: tuple[Coding, ...] = ()  # an instrument's panel code, e.g. LOINC 44249-1 for the PHQ-9
    # Languages the section is knowingly not translated into, each with what staff are told when an
    # interview in that language reaches it (a validated instrument with no validated translation).
    untranslated: tuple[tuple[str, str], ...] = ()

    def untranslated_notice(self, language: str | None) -> str | None:
        return dict(self.untranslated).get(language) if language else None


@dataclass(frozen=True)
class Detail:
    """A sentence added to a flag's explanation only when its own condition holds, so a patient on
    lamotrigine alone reads nothing about benzodiazepines."""

    when: Condition
    text: Text


@dataclass(frozen=True)
class Flag:
    id: str
    severity: Severity
    label: Text
    explanation: Text
    when: Condition
    source: Text
    covered_by: tuple[str, ...] = ()  # stronger flags that, when raised, fold this one under them
    staff_instruction: Text | None = None  # said to staff the moment the flag is raised in an interview
    details: tuple[Detail, ...] = ()
    shows: tuple[str, ...] = ()  # answers shown with the evidence when it is raised (the allergy list)


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: Text


@dataclass(frozen=True)
class ScoreNote:
    """A note shown with a score whenever its condition holds (PC-PTSD-5: a total of 3)."""

    when: Condition
    text: Text


@dataclass(frozen=True)
class Score:
    id: str
    label: Text
    items: tuple[str, ...]
    bands: tuple[Band, ...]
    zero_when: Condition | None = None
    source: Text | None = None
    notes: tuple[ScoreNote, ...] = ()
    shows: tuple[str, ...] = ()  # answers shown beside the score (the instrument's difficulty item)
    codes: tuple[Coding, ...] = ()

    def band_for(self, value: int) -> Band | None:
        return next((b for b in self.bands if b.min <= value <= b.max), None)


CHECK_OPERATORS = ("below", "at_most", "above", "at_least", "not_equals")


@dataclass(frozen=True)
class Check:
    """A check across two answers: ``question`` OPERATOR ``other`` must hold whenever both have a
    value; when it does not, the later answer is asked again with ``message`` (a typing slip such as
    78/124 must not become a finding)."""

    id: str
    question: str
    operator: str
    other: str
    message: Text


@dataclass(frozen=True)
class Screen:
    """A screen named for the clinician: when every flag it lists was decided "not raised", the
    summary says so in one line with the answers behind it (asked and negative, not just absent)."""

    id: str
    label: Text
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: Text
    version: str
    language: str
    sections: tuple[Section, ...]
    flags: tuple[Flag, ...]
    scores: tuple[Score, ...]
    sha256: str
    description: Text | None = None
    checks: tuple[Check, ...] = ()
    screens: tuple[Screen, ...] = ()
    _questions: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)
    _sections: dict[str, Section] = field(default_factory=dict, compare=False, repr=False)
    _flags: dict[str, Flag] = field(default_factory=dict, compare=False, repr=False)
    _ordered: tuple[Question, ...] = field(default=(), init=False, compare=False, repr=False)
    _places: dict[str, int] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Looked up on every answer and by every check: built once, so no look-up walks the
        # questionnaire (a 5,000-question file would make each answer cost 5,000 steps).
        self._questions.update((q.id, q) for s in self.sections for q in s.questions)
        self._sections.update((s.id, s) for s in self.sections)
        self._flags.update((f.id, f) for f in self.flags)
        object.__setattr__(self, "_ordered", tuple(self._questions.values()))
        self._places.update((question_id, index) for index, question_id in enumerate(self._questions))

    @property
    def questions(self) -> tuple[Question, ...]:
        return self._ordered

    def question(self, question_id: str) -> Question:
        return self._questions[question_id]

    def place(self, question_id: str) -> int:
        """The question's index in the questionnaire: for putting questions in its order."""
        return self._places[question_id]

    def flag(self, flag_id: str) -> Flag:
        return self._flags[flag_id]

    def score(self, score_id: str) -> Score:
        return next(s for s in self.scores if s.id == score_id)

    def section_of(self, question_id: str) -> Section:
        return self._sections[self._questions[question_id].section]
