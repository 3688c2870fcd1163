"""Developer tool: rebuild the generated part of ``entities/support/stopwords.yaml``.

    python -m streamproc.enrich.stopwords_tool      # needs wordfreq and the system word lists

Not used at run time (the stop list is data). A GeoNames name (single word or not) goes on the list
when it is a common word of one of the six languages:

* it is among the ``ALWAYS`` most frequent words of a language (wordfreq): function words and the
  like, whatever the size of the place ("Para", «Как», «من»);
* or it is among the ``COMMON`` most frequent words *and* a lower-case dictionary word of that
  language (``/usr/share/dict/{american-english,french,spanish,ukrainian}``, hunspell ``ru_RU`` —
  Debian packages ``wamerican wfrench wspanish wukrainian hunspell-ru``; Arabic: frequency alone),
  and every place bearing it is smaller than ``BIG`` (a big city keeps its name: Phoenix, Santiago).

Names the curated files hold are unaffected: the stop list only filters imported names. The hand-made
``manual``, ``keep`` and ``wrong_alternates`` sections of the file are kept as they are (``keep`` wins over
the lists: Arabic has no dictionary here, so frequency alone put «جنين», «درعا», «منبج» on the list).
"""

from __future__ import annotations

import collections
from pathlib import Path

from streamproc.data import load_yaml
from streamproc.enrich.gazetteer import ENTITIES_DIR
from streamproc.enrich.geonames import (
    CONFIG_FILE,
    STOPWORDS_FILE,
    SUPPORT,
    ImportConfig,
    generate,
    key_of,
    load_config,
)

ALWAYS = {"en": 1500, "fr": 1500, "es": 1500, "ru": 1500, "uk": 1500, "ar": 2500}
COMMON = 30000
BIG = 300000
DICTIONARIES = {
    "en": ("/usr/share/dict/american-english", "utf-8"),
    "fr": ("/usr/share/dict/french", "utf-8"),
    "es": ("/usr/share/dict/spanish", "utf-8"),
    "uk": ("/usr/share/dict/ukrainian", "utf-8"),
    "ru": ("/usr/share/hunspell/ru_RU.dic", "koi8-r"),
}


def _dictionary(path: str, encoding: str) -> set[str]:
    out: set[str] = set()
    with open(path, encoding=encoding, errors="ignore") as fh:
        for line in fh:
            word = line.split("/")[0].strip()
            if word and word[0].islower():
                out.add(key_of(word))
    return out


def main() -> int:
    import wordfreq  # dev-only dependency

    directory = ENTITIES_DIR
    path = directory / SUPPORT / STOPWORDS_FILE
    current = load_yaml(path) if path.is_file() else {}
    manual = {lang: list(words) for lang, words in (current.get("manual") or {}).items()}
    # Every hand-kept section but `manual` is written back as it is (`keep`, `wrong_alternates`).
    by_hand = {name: {lang: list(words) for lang, words in (sec or {}).items()}
               for name, sec in current.items() if name not in ("manual", "generated")}
    config = load_config(directory) or ImportConfig()
    # Generate with the manual list only, so that the generated part sees every candidate name.
    data = generate(directory, ImportConfig(**{**{f: getattr(config, f) for f in config.__dataclass_fields__},
                                               "stopwords": frozenset(key_of(w) for ws in manual.values()
                                                                      for w in ws)}))
    population: dict[str, int] = collections.defaultdict(int)
    scripts: dict[str, str] = {}
    for key, script, target in data.names:
        if target.startswith("="):
            continue
        population[key] = max(population[key], data.places[int(target)].population)
        scripts[key] = script
    generated: dict[str, list[str]] = {}
    for lang in ("en", "fr", "es", "ru", "uk", "ar"):
        ranked = [key_of(w) for w in wordfreq.top_n_list(lang, COMMON)]
        always = set(ranked[:ALWAYS[lang]])
        common = set(ranked)
        dictionary = _dictionary(*DICTIONARIES[lang]) if lang in DICTIONARIES else common
        script = {"ru": "cyrillic", "uk": "cyrillic", "ar": "arabic"}.get(lang, "latin")
        words = set()
        for key, s in scripts.items():
            if s != script:
                continue
            bare = key[2:] if script == "arabic" and key.startswith("ال") else key
            if key in always or bare in always or (key in common or bare in common) and (key in dictionary or bare in dictionary) \
                    and population[key] < BIG:
                words.add(key)
        generated[lang] = sorted(words)
    lines = [
        "# Imported place names that are also common words: never imported (streamproc/enrich/geonames.py).",
        "# `manual`: by hand (edit freely). `generated`: by `python -m streamproc.enrich.stopwords_tool`",
        "# (rules in its docstring). `keep`: by hand, place names first however frequent as words (news",
        "# corpora rank conflict towns high); never stopped. `wrong_alternates`: by hand, GeoNames alternate",
        "# names given to the wrong town (Nikopol bears «Слов'янськ»); the curated files hold the right one.",
        "# All are normalised the same way as the text.",
        "# After editing, regenerate",
        f"# {SUPPORT}/geonames.generated.yaml with `python -m streamproc.enrich.geonames` ({CONFIG_FILE}).",
        "manual:",
    ]
    for lang, words in manual.items():
        lines.append(f"  {lang}: [{', '.join(_quote(w) for w in words)}]")
    for name, section in by_hand.items():
        lines.append(f"{name}:")
        for lang, words in section.items():
            lines.append(f"  {lang}: [{', '.join(_quote(w) for w in words)}]")
    lines.append("generated:")
    for lang, words in generated.items():
        lines.append(f"  {lang}: [{', '.join(_quote(w) for w in words)}]")
    Path(path).write_text("\n".join(lines) + "\n", "utf-8")
    print(f"wrote {path}: " + ", ".join(f"{k} {len(v)}" for k, v in generated.items()))
    return 0


def _quote(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    raise SystemExit(main())
