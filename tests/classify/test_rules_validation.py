"""Rule files are validated at start-up: every problem reported with file, line and reason."""

from pathlib import Path

import pytest

from streamproc.classify.rules import RULES_DIR, load_rules
from streamproc.data import DataErrors

GOOD = """\
language: xx
categories:
  ceasefire:
    terms: [ceasefire]
    subtypes: {violation: [violated], agreement: [agreed], call: [called]}
  shelling: [shelling]
  airstrike: [airstrike]
  armed_clash: [clashes]
  explosion: [explosion]
casualties:
  killed: [killed]
  injured: [injured]
  people: [people]
  at_least: [at least]
  numbers: {three: 3}
negation:
  before: [no]
chrome: [share]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_good_file_loads_and_no_stays_a_string(tmp_path):
    rules = load_rules(write(tmp_path, "xx.yaml", GOOD))
    terms = [t.source for t in rules["xx"].lexicon.terms]
    assert "no" in terms  # YAML 1.1 would have made it the boolean False


@pytest.mark.parametrize("change, line, reason", [
    (("  shelling: [shelling]\n", "  shelling: [sh*]\n"), 6, "at least 3 letters"),
    (("  explosion: [explosion]\n", ""), 3, "missing required key 'explosion'"),
    (("  numbers: {three: 3}\n", "  numbers: {three: many}\n"), 15, "non-negative integer"),
    (("chrome: [share]\n", "chrome: [share]\nbogus: 1\n"), 19, "unknown key 'bogus'"),
    (("language: xx\n", "language: yy\n"), 1, "does not match the file name"),
    (("  numbers: {three: 3}\n", "  numbers: {three: 3}\n  range_opn: [between]\n"), 16,
     "unknown key 'casualties.range_opn'"),
    (("  numbers: {three: 3}\n", "  numbers: {three: 3}\n  only_after_a_number: [thousands]\n"), None,
     "'thousands' is not a key of casualties.numbers"),
    (("  armed_clash: [clashes]\n", "  armed_clash: [clashes\n"), None, "YAML syntax"),
    (("  explosion: [explosion]\n", "  explosion: {terms: [car bomb], genric: [explosion]}\n"), 9,
     "unknown key 'categories.explosion.genric'"),
    (("  explosion: [explosion]\n", "  explosion: {generic: [explosion]}\n"), 9,
     "categories.explosion: missing required key 'terms'"),
    # misspelt optional keys under negation and ceasefire were ignored without a word
    (("  before: [no]\n", "  before: [no]\n  windw: 6\n"), 18, "unknown key 'negation.windw'"),
    (("    terms: [ceasefire]\n", "    terms: [ceasefire]\n    subtype: {}\n"), 5,
     "unknown key 'categories.ceasefire.subtype'"),
])
def test_a_bad_file_fails_with_file_line_and_reason(tmp_path, change, line, reason):
    path = write(tmp_path, "xx.yaml", GOOD.replace(*change))
    with pytest.raises(DataErrors) as exc:
        load_rules(path)
    message = str(exc.value)
    assert "xx.yaml" in message and reason in message
    if line is not None:
        assert f"xx.yaml:{line}:" in message


def test_the_bundled_rule_files_are_valid():
    rules = load_rules(RULES_DIR)
    assert {"ar", "en", "ru", "uk", "fr", "es"} <= set(rules)


def test_link_words_that_are_proclitics_are_read_glued_to_numbers(tmp_path):
    # Arabic writes «و15» as one word: only a link word that is also a proclitic is looked for there.
    text = GOOD.replace("language: xx\n", "language: xx\nproclitics: [w, b]\n").replace(
        "  numbers: {three: 3}\n", "  numbers: {three: 3}\n  range_link: [w, to]\n  group_link: [w, and]\n")
    rules = load_rules(write(tmp_path, "xx.yaml", text))
    assert rules["xx"].glued_links == {"w": frozenset({"range", "group"})}
    assert load_rules(write(tmp_path, "xx.yaml", GOOD))["xx"].glued_links == {}


def test_a_glued_link_is_recognised_in_its_folded_form(tmp_path):
    # The lexicon compares folded forms; a proclitic written with a short vowel (وَ) is still و.
    text = GOOD.replace("language: xx\n", "language: xx\nproclitics: [\u0648\u064e]\n").replace(
        "  numbers: {three: 3}\n", "  numbers: {three: 3}\n  group_link: [\u0648]\n")
    assert load_rules(write(tmp_path, "xx.yaml", text))["xx"].glued_links == {"\u0648": frozenset({"group"})}


def test_explosion_terms_that_name_no_weapon_are_marked_generic(tmp_path):
    # A plain list (every term a weapon) stays valid beside the mapping with its generic terms.
    text = GOOD.replace("  explosion: [explosion]\n", "  explosion: {terms: [car bomb], generic: [explosion]}\n")
    roles = {t.source: t.payload for t in load_rules(write(tmp_path, "xx.yaml", text))["xx"].lexicon.terms}
    assert roles["explosion"].generic and roles["explosion"].value == "explosion"
    assert not roles["car bomb"].generic
    plain = {t.source: t.payload for t in load_rules(write(tmp_path, "xx.yaml", GOOD))["xx"].lexicon.terms}
    assert not plain["explosion"].generic


def test_hypothetical_ends_are_an_optional_list_of_terms(tmp_path):
    text = GOOD.replace("chrome: [share]\n", "hypothetical: [could]\nhypothetical_ends: [after]\nchrome: [share]\n")
    roles = {t.source: t.payload.kind for t in load_rules(write(tmp_path, "xx.yaml", text))["xx"].lexicon.terms}
    assert roles["after"] == "hypothetical_end"
    bad = GOOD.replace("chrome: [share]\n", "hypothetical_ends: [af*]\nchrome: [share]\n")
    with pytest.raises(DataErrors, match="hypothetical_ends"):
        load_rules(write(tmp_path, "xx.yaml", bad))


def test_past_cues_are_optional_lists_and_past_since_takes_single_words(tmp_path):
    text = GOOD.replace("chrome: [share]\n", "past: [years ago]\npast_of: [anniversary of]\npast_since: [since]\n"
                                               "chrome: [share]\n")
    rules = load_rules(write(tmp_path, "xx.yaml", text))["xx"]
    roles = {t.source: t.payload.kind for t in rules.lexicon.terms}
    assert roles["years ago"] == "past" and roles["anniversary of"] == "past_of"
    assert rules.past_since == frozenset({"since"}) and "since" not in roles  # compared, never searched for
    for bad in ("past_since: [ever since]\n", "past_since: [sinc*]\n"):
        with pytest.raises(DataErrors, match="past_since"):
            load_rules(write(tmp_path, "xx.yaml", GOOD.replace("chrome: [share]\n", bad + "chrome: [share]\n")))


def test_year_suffixes_are_an_optional_list_of_short_letter_runs(tmp_path):
    text = GOOD.replace("chrome: [share]\n", "year_suffixes: [Г]\nchrome: [share]\n")
    assert load_rules(write(tmp_path, "xx.yaml", text))["xx"].year_suffixes == frozenset({"г"})  # folded
    for bad in ("year_suffixes: [г.]\n", "year_suffixes: [года]\n", "year_suffixes: [1]\n", "year_suffixes: г\n"):
        with pytest.raises(DataErrors, match="year_suffixes"):
            load_rules(write(tmp_path, "xx.yaml", GOOD.replace("chrome: [share]\n", bad + "chrome: [share]\n")))


def test_articles_must_be_number_words(tmp_path):
    good = GOOD.replace("casualties:\n", "casualties:\n  articles: [three]\n", 1)
    assert good != GOOD
    assert load_rules(write(tmp_path, "xx.yaml", good))["xx"].articles == frozenset({"three"})
    with pytest.raises(DataErrors, match="casualties.articles"):
        load_rules(write(tmp_path, "xx.yaml", GOOD.replace("casualties:\n", "casualties:\n  articles: [a]\n", 1)))


@pytest.mark.parametrize(("key", "terms", "role", "bad"), [
    ("ceasefire_not", ["tariff", "in the trade war"], "ceasefire_not", "ta*"),
    ("figures_of_speech", ["charm offensive*", "explosion of joy"], "figure", "ch*"),
])
def test_an_optional_list_of_terms_gives_its_terms_their_role(tmp_path, key, terms, role, bad):
    text = GOOD.replace("chrome: [share]\n", f"{key}: [{', '.join(terms)}]\nchrome: [share]\n")
    roles = {t.source: t.payload.kind for t in load_rules(write(tmp_path, "xx.yaml", text))["xx"].lexicon.terms}
    assert [roles[t] for t in terms] == [role, role]
    with pytest.raises(DataErrors, match=key):  # a stem too short for a list that suppresses
        load_rules(write(tmp_path, "xx.yaml", GOOD.replace("chrome: [share]\n", f"{key}: [{bad}]\nchrome: [share]\n")))


def test_abbreviations_are_words_without_their_full_stop(tmp_path):
    text = GOOD.replace("chrome: [share]\n", "abbreviations: [St, Gen]\nchrome: [share]\n")
    assert load_rules(write(tmp_path, "xx.yaml", text))["xx"].abbreviations == frozenset({"st", "gen"})
    for bad in ("abbreviations: [St.]\n", "abbreviations: st\n", "abbreviations: [u s]\n"):
        with pytest.raises(DataErrors, match="abbreviations"):
            load_rules(write(tmp_path, "xx.yaml", GOOD.replace("chrome: [share]\n", bad + "chrome: [share]\n")))


def test_asides_are_plain_word_sequences_compared_never_searched_for(tmp_path):
    text = GOOD.replace("chrome: [share]\n", "asides: [in, according to]\ntoll_subjects: [number of]\nchrome: [share]\n")
    rules = load_rules(write(tmp_path, "xx.yaml", text))["xx"]
    roles = {t.source: t.payload.kind for t in rules.lexicon.terms}
    assert rules.asides == (("in",), ("according", "to")) and "in" not in roles
    assert roles["number of"] == "toll_subject"
    for bad in ("asides: [accord*]\n", "asides: [in ~ of]\n"):
        with pytest.raises(DataErrors, match="asides"):
            load_rules(write(tmp_path, "xx.yaml", GOOD.replace("chrome: [share]\n", bad + "chrome: [share]\n")))


def test_truce_words_arenas_and_words_of_war_are_optional_lists_of_terms(tmp_path):
    text = GOOD.replace("    terms: [ceasefire]\n", "    terms: [ceasefire]\n    truces: [truce*]\n").replace(
        "chrome: [share]\n", "chrome: [share]\ntruce_arenas: [derby]\nwar_context: [troops]\n")
    roles = {t.source: t.payload for t in load_rules(write(tmp_path, "xx.yaml", text))["xx"].lexicon.terms}
    assert roles["truce*"].truce and roles["truce*"].value == "ceasefire"
    assert not roles["ceasefire"].truce
    assert roles["derby"].kind == "truce_arena" and roles["troops"].kind == "war_context"
    bad = text.replace("truces: [truce*]", "truces: [tr*]")
    with pytest.raises(DataErrors, match="categories.ceasefire.truces"):
        load_rules(write(tmp_path, "xx.yaml", bad))
