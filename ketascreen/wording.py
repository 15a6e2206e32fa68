"""The interview's own words in each language it speaks: prompts, keys, yes and no.

The questionnaire file carries the questions; these are the lines around them. Staff keep their
English keys in every language (a clinic's staff may switch between patients), and a language adds
its own words beside them, never in place of them. A language without an entry here is asked with
the English lines around its questions.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


def language_name(code: str) -> str:
    """The language's name in English, for the chart ("Spanish"); the code itself when not known."""
    return LANGUAGE_NAMES.get(code, code)


@dataclass(frozen=True)
class Wording:
    """Every line the interview adds around a question, and the words it accepts."""

    yes: tuple[str, ...]
    no: tuple[str, ...]
    unknown: tuple[str, ...]
    declined: tuple[str, ...]
    back: tuple[str, ...]
    help: tuple[str, ...]
    quit: tuple[str, ...]
    yes_word: str
    no_word: str
    unknown_word: str
    declined_word: str
    question_of: str  # {position}, {total}
    answer: str  # {expected}
    current: str  # {words}
    optional: str
    keys: str
    key_unknown: str
    key_declined: str
    key_back: str
    key_help: str
    key_quit: str
    read_first: str  # {intro}
    help_label: str  # {help}
    no_help: str
    help_footer: str
    not_accepted: str  # {problem}
    saved: str  # {words}
    kept: str  # {words}
    left_open: str
    first_question: str
    yes_no_expected: str
    whole_number: str
    a_number: str
    from_to: str  # {low}, {high}
    at_least: str  # {low}
    at_most: str  # {high}
    one_choice: str  # {count}
    some_choices: str  # {count}
    one_score: str  # {low}, {high}
    a_date: str
    free_text: str
    or_keys: str  # {keys}
    or_word: str
    key_u_means: str
    key_d_means: str
    out_of_range: str  # {expected}
    needed: str  # {expected}


ENGLISH = Wording(
    yes=("y", "yes"), no=("n", "no"), unknown=("u", "unknown"), declined=("d", "declined"),
    back=("b",), help=("?",), quit=("q",),
    yes_word="yes", no_word="no", unknown_word="unknown", declined_word="declined to answer",
    question_of="Question {position} of about {total}",
    answer="Answer: {expected}.",
    current="Current answer: {words} (Enter keeps it)",
    optional="Optional: Enter leaves it open.",
    keys="Keys: ", key_unknown="u unknown", key_declined="d declined", key_back="b back", key_help="? help",
    key_quit="q save and quit",
    read_first="Read first: {intro}",
    help_label="Help: {help}",
    no_help="No help text for this question.",
    help_footer="Type the answer and press Enter. A single letter u, d, b, ? or q is a key, never an answer.",
    not_accepted="Not accepted: {problem}.",
    saved="Saved: {words}", kept="Kept: {words}", left_open="Left open.",
    first_question="This is the first question.",
    yes_no_expected="y for yes or n for no",
    whole_number="a whole number", a_number="a number (decimals with a point, e.g. 72.5)",
    from_to=" from {low} to {high}", at_least=" of at least {low}", at_most=" of at most {high}",
    one_choice="the number of one choice, 1 to {count}",
    some_choices="the numbers of the choices that apply, separated by commas (1 to {count}), or 0 for none",
    one_score="the score of one option, {low} to {high}",
    a_date="a date, as year-month-day (2026-11-29) or day/month/year (29/11/2026)",
    free_text="the answer as free text",
    or_keys="; or {keys}", or_word=" or ", key_u_means="u for unknown", key_d_means="d for declined",
    out_of_range="out of range: {expected}",
    needed="an answer is needed: {expected}",
)

# Spanish: the same key letters as in English, explained in Spanish, with Spanish words beside them.
# "s" means sí: no key uses that letter, and "n" already means no in both languages. "no sé" and
# "no responde" are two words each, so they never meet the one-word answer "no".
SPANISH = Wording(
    yes=("y", "yes", "s", "si", "sí"), no=("n", "no"),
    unknown=("u", "unknown", "no sé", "no se"), declined=("d", "declined", "no responde"),
    back=("b", "atrás", "atras"), help=("?", "ayuda"), quit=("q", "salir"),
    yes_word="sí", no_word="no", unknown_word="no se sabe", declined_word="no quiso responder",
    question_of="Pregunta {position} de unas {total}",
    answer="Respuesta: {expected}.",
    current="Respuesta actual: {words} (Enter la mantiene)",
    optional="Opcional: Enter la deja sin responder.",
    keys="Teclas: ", key_unknown="u no se sabe", key_declined="d no quiere responder", key_back="b atrás",
    key_help="? ayuda", key_quit="q guardar y salir",
    read_first="Lea primero: {intro}",
    help_label="Ayuda: {help}",
    no_help="Esta pregunta no tiene texto de ayuda.",
    help_footer=("Escriba la respuesta y pulse Enter. Una sola letra u, d, b, ? o q es una tecla, nunca una "
                 "respuesta. También valen las palabras atrás, ayuda, salir, no sé y no responde."),
    not_accepted="No aceptada: {problem}.",
    saved="Guardada: {words}", kept="Se mantiene: {words}", left_open="Queda sin responder.",
    first_question="Esta es la primera pregunta.",
    yes_no_expected="s o sí para sí, n o no para no (también y o yes)",
    whole_number="un número entero", a_number="un número (decimales con punto, por ejemplo 72.5)",
    from_to=" de {low} a {high}", at_least=" de al menos {low}", at_most=" de como mucho {high}",
    one_choice="el número de una opción, de 1 a {count}",
    some_choices="los números de las opciones que corresponden, separados por comas (de 1 a {count}), o 0 si ninguna",
    one_score="el puntaje de una opción, de {low} a {high}",
    a_date="una fecha, como año-mes-día (2026-11-29) o día/mes/año (29/11/2026)",
    free_text="la respuesta en texto libre",
    or_keys="; o {keys}", or_word=" o ", key_u_means="u si no se sabe", key_d_means="d si no quiere responder",
    out_of_range="fuera del rango: {expected}",
    needed="hace falta una respuesta: {expected}",
)

WORDINGS = {"en": ENGLISH, "es": SPANISH}


def wording(language: str | None) -> Wording:
    """The interview's words in ``language``; English where the language has none here."""
    return WORDINGS.get(language or "en", ENGLISH)
