"""Entity linking: places, organisations and people in six languages, ambiguity, event location."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from streamproc.cli.evaluate_geo import evaluate_geo
from streamproc.enrich.linker import link as link_doc
from streamproc.ingest.article import Article
from streamproc.text.document import build_document
from tests.conftest import FIXTURES, SEED

SEED_ENTITIES = {"Russia", "Sergey Lavrov", "Azerbaijan", "Baku", "Armenia", "Yerevan", "Tovuz", "Tavush",
                 "Nagorno-Karabakh", "OSCE", "OSCE Minsk Group", "United States", "France", "Moscow"}


def link(pipeline, text: str, lang: str):
    _, linking, _ = pipeline.analyse(Article(id="t", text=text, language=lang), lang)
    return linking


def names(linking) -> set[str]:
    return {e.record.name for e in linking.entities}


def location_of(pipeline, text: str, lang: str) -> tuple[str, str | None]:
    """The event location's name and country."""
    record = link(pipeline, text, lang).location.record
    return record.name, record.country


def entity(linking, name: str):
    return next(e for e in linking.entities if e.record.name == name)


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "Azerbaijani troops shelled Armenian positions, Russian officials said.", {"Azerbaijan", "Armenia", "Russia"}),
    ("ar", "قصفت القوات الأذربيجانية مواقع أرمنية وقالت الخارجية الروسية إنها قلقة.", {"Azerbaijan", "Armenia", "Russia"}),
    ("ru", "Азербайджанские военные обстреляли армянские позиции, сообщили в Москве.", {"Azerbaijan", "Armenia", "Moscow"}),
    ("uk", "Азербайджанські військові обстріляли вірменські позиції біля Товуза.", {"Azerbaijan", "Armenia", "Tovuz"}),
    ("fr", "Les forces azerbaïdjanaises ont bombardé des positions arméniennes près de Tovuz.", {"Azerbaijan", "Armenia", "Tovuz"}),
    ("es", "Las tropas azerbaiyanas bombardearon posiciones armenias cerca de Tovuz.", {"Azerbaijan", "Armenia", "Tovuz"}),
])
def test_demonyms_in_every_language(pipeline, lang, text, expected):
    assert expected <= names(link(pipeline, text, lang))


@pytest.mark.parametrize("lang, text, place, country", [
    ("en", "Russian shelling killed two people in the southern city of Kherson on Monday.", "Kherson", "UA"),
    ("ar", "قتل ثلاثة مدنيين في قصف على مدينة إدلب شمال غربي سوريا.", "Idlib", "SY"),
    ("ru", "В результате обстрела Донецка погибли два человека.", "Donetsk", "UA"),
    ("uk", "Унаслідок обстрілу Харкова загинули троє людей.", "Kharkiv", "UA"),
    ("fr", "Des tirs d'artillerie ont tué trois civils à Gao, dans le nord du Mali.", "Gao", "ML"),
    ("es", "Un ataque con explosivos mató a dos policías en Cúcuta, en la frontera con Venezuela.", "Cúcuta", "CO"),
])
def test_event_location_in_every_language(pipeline, lang, text, place, country):
    linking = link(pipeline, text, lang)
    assert linking.location is not None and linking.location.record.name == place
    assert linking.primary_country == country
    loc = linking.location.record
    assert loc.lat is not None and loc.lon is not None


# Ukrainian and Russian name an oblast after its centre with «-щина» («на Харківщині», «на Сумщині»),
# inflected like any noun: each is the oblast, in Ukraine.
@pytest.mark.parametrize("lang, text, region", [
    ("uk", "Унаслідок обстрілу на Харківщині загинули двоє людей.", "Kharkiv Oblast"),
    ("uk", "На Донеччині тривають запеклі бої.", "Donetsk Oblast"),
    ("uk", "Ворог обстріляв прикордонні громади на Сумщині.", "Sumy Oblast"),
    ("uk", "Уночі дрони атакували Київщину.", "Kyiv Oblast"),
    ("uk", "Окупанти знову обстріляли Херсонщину.", "Kherson Oblast"),
    ("uk", "На Луганщині тривають бої.", "Luhansk Oblast"),
    ("ru", "Обстрел на Харьковщине унес жизни двух человек.", "Kharkiv Oblast"),
    ("ru", "На Донетчине идут ожесточенные бои.", "Donetsk Oblast"),
    ("ru", "Беспилотники атаковали Сумщину.", "Sumy Oblast"),
    ("ru", "Под обстрел попали населенные пункты Киевщины.", "Kyiv Oblast"),
])
def test_oblast_named_with_shchyna(pipeline, lang, text, region):
    linking = link(pipeline, text, lang)
    assert region in names(linking)
    assert linking.location is not None and linking.location.record.name == region
    assert linking.primary_country == "UA"


def test_geonames_city_resolved_with_id_country_and_coordinates(pipeline):
    linking = link(pipeline, "A drone strike hit a checkpoint near Jarabulus, killing four fighters.", "en")
    city = entity(linking, "Jarābulus").record if "Jarābulus" in names(linking) else \
        next(e.record for e in linking.entities if e.record.type == "city")
    assert city.country == "SY" and city.geonames_id and city.id.startswith("geonames:")
    assert 36 < city.lat < 37 and 37 < city.lon < 39


def test_georgia_the_country_and_the_us_state(pipeline):
    country = link(pipeline, "Russian troops moved deeper into Georgia, near Tskhinvali in South Ossetia.", "en")
    assert entity(country, "Georgia").record.type == "country"
    state = link(pipeline, "A gunman opened fire at a mall in Atlanta, Georgia, killing three people.", "en")
    georgia = entity(state, "Georgia").record
    assert georgia.type == "region" and georgia.country == "US"
    assert state.primary_country == "US"


def test_jordan_the_country_and_the_person(pipeline):
    assert "Jordan" in names(link(pipeline, "Rockets landed in Jordan near the Syrian border.", "en"))
    for text in ("Michael Jordan visited the troops.", "Jordan Peterson spoke at the rally.",
                 "the jordan river"):
        assert "Jordan" not in names(link(pipeline, text, "en")), text


def test_paris_and_tripoli_by_population_and_context(pipeline):
    assert entity(link(pipeline, "Police fired tear gas in Paris.", "en"), "Paris").record.country == "FR"
    assert link(pipeline, "Paris Saint-Germain won the match.", "en").entities == []
    libya = link(pipeline, "Militias clashed in Tripoli, the Libyan capital.", "en")
    assert {e.record.country for e in libya.entities if e.record.type == "city"} == {"LY"}
    lebanon = link(pipeline, "Gunmen clashed in Tripoli, the second city of Lebanon, near Beirut.", "en")
    assert {e.record.country for e in lebanon.entities if e.record.type == "city"} == {"LB"}


@pytest.mark.parametrize("lang, text", [
    ("ar", "عبر المواطنون عن أمل كبير في السلام وجاء في بيان الوزارة أن الحصار مستمر في إطار الخطة."),
    ("en", "Police said the march in August was peaceful; nice weather, a mobile unit and a reading room."),
    ("es", "Pero como dijo el presidente, este martes la Federación y la Justicia hablaron."),
    ("ru", "Мир и дружба: люди надеются на мир."),
])
def test_common_words_are_not_places(pipeline, lang, text):
    assert not [e for e in link(pipeline, text, lang).entities if e.record.is_place]


def test_never_inside_a_longer_word(pipeline):
    linking = link(pipeline, "The Parisian fashion and the Omaniac fans; Kyivstar shares rose.", "en")
    assert not {"Paris", "Oman", "Kyiv"} & names(linking)
    m = entity(link(pipeline, "Shelling hit Kherson.", "en"), "Kherson").mentions[0]
    assert "Shelling hit Kherson."[m.start:m.end] == "Kherson"


def test_mentions_point_into_the_original_text(pipeline):
    text = "مشاركة\n\nقصفت القوات الأرمنية مواقع في منطقة توفوز الأذربيجانية."
    for ent in link(pipeline, text, "ar").entities:
        for m in ent.mentions:
            assert text[m.start:m.end] == m.text


def _seed_texts() -> list[tuple[str, str]]:
    out = [("retold", json.loads((FIXTURES / "articles" / "ar-seed-retold.json").read_text("utf-8"))["text"])]
    if SEED.is_file():
        out.append(("seed", SEED.read_text("utf-8")))
    return out


@pytest.mark.parametrize("name, text", _seed_texts(), ids=[n for n, _ in _seed_texts()])
def test_seed_location_is_the_border_not_the_capital(pipeline, name, text):
    linking = link(pipeline, text, "ar")
    assert linking.location is not None and linking.location.record.name in ("Tovuz", "Tavush")
    assert linking.primary_country in ("AZ", "AM")
    assert linking.primary_country == linking.location.record.country, "the location and its country agree"
    assert linking.countries[0] == linking.primary_country
    assert {"AZ", "AM", "RU"} <= set(linking.countries)


@pytest.mark.skipif(not SEED.is_file(), reason="../shared/seed not present")
def test_seed_entities_exactly(pipeline):
    assert names(link(pipeline, SEED.read_text("utf-8"), "ar")) == SEED_ENTITIES


def test_capital_that_issues_a_statement_is_not_the_location(pipeline):
    text = ("MOSCOW, May 2 (Reuters) - Moscow said on Tuesday that Ukrainian drones had struck an oil depot "
            "in Novorossiysk, killing one worker, according to officials in Moscow.")
    linking = link(pipeline, text, "en")
    assert linking.location.record.name == "Novorossiysk" and linking.primary_country == "RU"


def test_geo_dev_set_figures(pipeline):
    scores = evaluate_geo(pipeline, FIXTURES / "geo_dev.tsv").summary()
    assert scores["rows"] >= 40
    assert scores["country_accuracy"] >= 0.9
    assert scores["location_recall"] >= 0.75


def test_generated_geonames_file_matches_its_settings():
    """The generated file must come from the committed settings and stop list (else start-up fails)."""
    from streamproc.enrich.gazetteer import ENTITIES_DIR
    from streamproc.enrich.geonames import read_generated

    data = read_generated(ENTITIES_DIR)
    assert len(data.places) > 50000 and len(data.names) > 100000


def test_without_support_files_only_the_curated_gazetteer(tmp_path: Path):
    from streamproc.enrich.gazetteer import ENTITIES_DIR, load_gazetteer

    for f in ENTITIES_DIR.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text("utf-8"), "utf-8")
    g = load_gazetteer(tmp_path)
    assert g.geo is None and len(g) < 2000


@pytest.mark.parametrize("lang, text", [
    ("uk", "Внаслідок обстрілу загинули двоє людей, повідомив Сергій Лисак."),  # Серго: Kadiyivka
    ("ru", "При обстреле погибли два человека, сообщил Сергей Лысак."),
    ("ru", "По словам Александра Прокудина, при обстреле погибли два человека."),  # Alexandria
    ("ru", "Об этом сообщила Анна Иванова, при обстреле погибли три человека."),  # Anna, Ivanovo
])
def test_a_given_name_and_a_surname_are_no_places(pipeline, lang, text):
    assert not [e.record.name for e in link(pipeline, text, lang).entities if e.record.is_place]


@pytest.mark.parametrize("lang, text, geonames_id", [
    ("ru", "В Софии при взрыве погибли три человека.", 727011),  # a given name's form, no surname after it
    ("ru", "Мэр Никополя Александр Саюк сообщил, что при обстреле погибли три человека.", 700051),
])
def test_a_place_beside_a_given_name_stays(pipeline, lang, text, geonames_id):
    assert link(pipeline, text, lang).location.record.geonames_id == geonames_id


@pytest.mark.parametrize("lang, text, geonames_id", [
    ("uk", "Під Покровськом тривають бої, загинули троє військових.", 704422),  # curated «=Покровськ»
    ("uk", "Росія завдала удару по Дніпру, загинули троє людей.", 709930),       # curated «=Дніпро»
    ("ru", "Армия нанесла удар по Днепру, погибли три человека.", 709930),
    ("uk", "У Макіївці внаслідок обстрілу загинули троє людей.", 702320),      # к → ц
    ("uk", "У Миколаєві внаслідок ракетного удару загинули троє людей.", 700569),  # і → є
])
def test_cyrillic_case_forms_of_curated_names_and_ukrainian_alternations(pipeline, lang, text, geonames_id):
    assert link(pipeline, text, lang).location.record.geonames_id == geonames_id


@pytest.mark.parametrize("lang, text, geonames_id", [
    ("ar", "قتل خمسة أشخاص في قصف على درعا.", 170905),  # frequency had put «درعا» on the stop list; «على» a cue
    ("ar", "قتل ثلاثة أشخاص في اشتباكات في السويداء.", 172408),
    ("fr", "Trois personnes ont été tuées dans une explosion à Marseille.", 2995469),
])
def test_kept_names_are_places_however_frequent_as_words(pipeline, lang, text, geonames_id):
    assert link(pipeline, text, lang).location.record.geonames_id == geonames_id


def test_a_kept_arabic_name_still_needs_a_place_cue(pipeline):
    """«جنين» is also "foetus": a small imported Arabic place needs «في», «على», «مدينة» … before it."""
    assert not [e for e in link(pipeline, "قتل جنين في بطن أمه في القصف.", "ar").entities if e.record.is_place]


def test_given_names_are_validated(tmp_path: Path):
    from streamproc.data import DataErrors
    from streamproc.enrich.gazetteer import load_cues

    (tmp_path / "support").mkdir()
    (tmp_path / "support" / "cues.yaml").write_text("given_names:\n  ru: [Сергей, Юрий, John]\n", "utf-8")
    with pytest.raises(DataErrors) as err:
        load_cues(tmp_path)
    assert "Юрий" in str(err.value) and "John" in str(err.value) and "Сергей" not in str(err.value)
    (tmp_path / "support" / "cues.yaml").write_text("given_names:\n  ru: [Сергей, Анна]\n", "utf-8")
    assert load_cues(tmp_path).given_name_stems == frozenset({"серг", "анн"})


@pytest.mark.parametrize("text, reason", [
    ("sourse:\n  en: [said]\n", "unknown key 'sourse'"),
    ("name_neighbours:\n  partcles: [al-]\n", "name_neighbours maps before, after and particles"),
    ("name_neighbours: [al-]\n", "name_neighbours maps"),
    ("arabic_given_names: محمد\n", "arabic_given_names must be a list"),
])
def test_cue_file_sections_are_validated(tmp_path: Path, text, reason):
    """Misspelt or misshapen sections fail at start-up with the file and reason, not an AttributeError."""
    from streamproc.data import DataErrors
    from streamproc.enrich.gazetteer import load_cues

    (tmp_path / "support").mkdir()
    (tmp_path / "support" / "cues.yaml").write_text(text, "utf-8")
    with pytest.raises(DataErrors, match=reason) as err:
        load_cues(tmp_path)
    assert "cues.yaml" in str(err.value)


def test_an_entity_with_an_unknown_key_is_refused(tmp_path: Path):
    from streamproc.data import DataErrors
    from streamproc.enrich.gazetteer import _parse_entity

    errors: list = []
    item = {"id": "x", "type": "city", "name": "X", "contry": "UA", "aliases": {"en": ["X"]}, "lat": 1, "lon": 2}
    assert _parse_entity(tmp_path / "places.yaml", item, errors) is None
    assert "unknown key(s) 'contry'" in str(DataErrors(errors))


def test_the_keep_section_wins_over_the_stop_lists(tmp_path: Path):
    from streamproc.enrich.geonames import load_config

    (tmp_path / "support").mkdir()
    (tmp_path / "support" / "geonames.yaml").write_text("cities: 5000\n", "utf-8")
    (tmp_path / "support" / "stopwords.yaml").write_text(
        'manual:\n  fr: ["Para"]\ngenerated:\n  ar: ["جنين", "بيان"]\n  fr: ["marseille"]\n'
        'keep:\n  ar: ["جنين"]\n  fr: ["Marseille"]\n', "utf-8")
    assert load_config(tmp_path).stopwords == frozenset({"para", "بيان"})


@pytest.mark.parametrize("lang, text", [
    ("es", ("Fuerzas azerbaiyanas y armenias intercambiaron disparos en la frontera, dejando dos soldados heridos, "
           "dijo Ereván.")),  # the verb of speech first (speaker_before)
    ("ar", "أصيب جنديان في اشتباكات بين القوات الأذربيجانية والأرمينية على الحدود، حسبما أفادت وزارة الدفاع في باكو."),
    ("en", "Two soldiers were wounded in clashes on the border, according to the Ministry of Defence in Baku."),
])
def test_a_capital_that_reports_or_speaks_is_not_the_location(pipeline, lang, text):
    location = link(pipeline, text, lang).location
    assert location is None or location.record.name not in {"Yerevan", "Baku"}


def test_a_source_cue_does_not_reach_across_a_comma(pipeline):
    linking = link(pipeline, "According to officials, Russian shelling killed two people in Kherson.", "en")
    assert linking.location.record.name == "Kherson"


@pytest.mark.parametrize("lang, text, geonames_id", [
    ("uk", "Внаслідок обстрілів Слов'янська загинули двоє людей.", 693468),  # GeoNames gave Nikopol this name
    ("en", "Russian shelling killed two people in Bilhorod-Dnistrovskyi in the Odesa region.", 712160),  # not Belgorod
    ("ar", "قتل ثلاثة أشخاص في قصف على كوبيانسك.", 703656),  # Cuba's «كوبي*» had taken it
    ("uk", "Під Покровськом тривають бої, загинули троє військових, повідомив Сергій Лисак.", 704422),
])
def test_conflict_towns_the_gazetteer_had_wrong(pipeline, lang, text, geonames_id):
    assert link(pipeline, text, lang).location.record.geonames_id == geonames_id


@pytest.mark.parametrize("lang, text, region, country", [
    ("es", "Cinco personas murieron en enfrentamientos en Antioquia.", "Antioquia", "CO"),  # was Antakya, TR
    ("es", "Cinco personas murieron en un ataque armado en el estado de Guerrero.", "Guerrero", "MX"),
    ("fr", "Des affrontements ont fait cinq morts dans la province de l'Ituri.", "Ituri", "CD"),
    ("ar", "قتل خمسة مدنيين في قصف على ولاية شمال دارفور.", "North Darfur", "SD"),
])
def test_conflict_regions(pipeline, lang, text, region, country):
    assert location_of(pipeline, text, lang) == (region, country)


def test_a_surname_or_a_cartel_is_no_region(pipeline):
    linking = link(pipeline, "Un ataque armado dejó cinco muertos, dijo Guerrero a la prensa.", "es")
    assert not [e for e in linking.entities if e.record.is_place]
    linking = link(pipeline, "Enfrentamientos entre el Cártel de Sinaloa y militares dejaron cinco muertos en Culiacán.",
                   "es")
    assert "Sinaloa Cartel" in names(linking) and linking.location.record.name == "Culiacán"


def test_a_region_is_not_placed_at_a_small_namesake_town():
    """GeoNames regions take their capital's coordinates: not a namesake village in another region
    (Kursk Oblast had been placed at a stanitsa of Krasnodar Krai, Caldas at a town of Antioquia)."""
    from streamproc.enrich.gazetteer import ENTITIES_DIR
    from streamproc.enrich.geonames import read_generated

    regions = {p.id for p in read_generated(ENTITIES_DIR).places if p.type == "region"}
    assert not {"iso3166-2:RU-KRS", "iso3166-2:RU-LEN", "iso3166-2:CO-CAL", "iso3166-2:ZA-MP"} & regions
    assert {"iso3166-2:SY-HI", "iso3166-2:SY-ID"} <= regions  # Homs, Idlib: capitals bear their names


def test_a_geonames_name_of_a_curated_place_wins_no_tie(pipeline):
    """Curated Toretsk carries GeoNames' names, its old one «Дзержинск» too; that is also the name of
    Dzerzhinsk in Russia (230,000 people), which the larger population decides for."""
    linking = link(pipeline, "В Дзержинске произошел взрыв, погибли два человека.", "ru")
    assert (linking.location.record.name, linking.location.record.country) == ("Dzerzhinsk", "RU")


@pytest.mark.parametrize("lang, text, place, country", [
    # a place named like a given name, before a person's name or a region's: still a place
    ("uk", "Голова Олександрії Сергій Кузьменко повідомив, що внаслідок удару загинули двоє людей.",
     "Oleksandriya", "UA"),
    ("uk", "Над Сумами збили дрон, уламки поранили двох людей.", "Sumy", "UA"),  # «Над» is no Надія
    # a source cue ends at a full stop, and reaches six words only to a place after "in"
    ("en", "Two people were wounded, according to officials. Drones then hit Odesa, killing one.", "Odesa", "UA"),
    ("en", "Shelling killed two people, according to the head of the Kherson regional administration.",
     "Kherson Oblast", "UA"),  # "Kherson region*": the oblast's administration
    # a capital before a comma and a verb of speech is where it happened
    ("es", "Explosiones sacudieron Kiev y mataron a dos personas, dijo el alcalde.", "Kyiv", "UA"),
    ("fr", "Des frappes ont tué deux personnes à Kiev, a déclaré le maire.", "Kyiv", "UA"),
    # a curated place beats a foreign namesake that only the attacker's nationality supports; a capital
    # that speaks gives no sub-national context
    ("en", "Russian troops shelled Pokrovsk, killing two civilians.", "Pokrovsk", "UA"),
    ("en", "U.S. forces carried out a strike near Damascus that killed five people.", "Damascus", "SY"),
    ("ru", "Три человека погибли при обстреле Донецка, заявили в Москве.", "Donetsk", "UA"),
])
def test_place_edges_found_by_a_helper_audit(pipeline, lang, text, place, country):
    assert location_of(pipeline, text, lang) == (place, country)


@pytest.mark.parametrize("lang, text, place, country", [
    ("ru", "В Одесской области при ударе погибли два человека.", "Odesa Oblast", "UA"),  # was Odesskoye, RU
    ("uk", "На Полтавщині внаслідок удару загинули двоє людей.", "Poltava Oblast", "UA"),
    ("uk", "У Дніпропетровській області внаслідок обстрілу загинули двоє людей.", "Dnipropetrovsk Oblast", "UA"),
    ("ru", "На Белгородчине при обстреле погибли два человека.", "Belgorod Oblast", "RU"),
    ("ru", "Израиль нанес удар по Тиру, погибли трое.", "Tyre", "LB"),
    ("fr", "Des frappes sur El-Facher ont tué 20 civils.", "El Fasher", "SD"),
])
def test_oblasts_and_wire_spellings(pipeline, lang, text, place, country):
    assert location_of(pipeline, text, lang) == (place, country)


def test_arabic_lam_fused_with_the_article(pipeline):
    """«للأمم المتحدة» is «ل» + «الأمم المتحدة» with the article's alef dropped (`article_contractions`)."""
    linking = link(pipeline, "قال الأمين العام للأمم المتحدة إن الهجمات على الفاشر أدت إلى مقتل 20 مدنيا.", "ar")
    assert {"United Nations", "El Fasher"} <= names(linking)


# A helper's audit of 120 sentences with people, organisations and places (2026-11-27 night): the
# rules its wrong links called for, one test each.

@pytest.mark.parametrize("lang, text, not_there", [
    ("en", "Hamas commander Khalil al-Hayya said an Israeli strike killed five people in Gaza City.", "Hebron"),
    ("en", "Hamas said Israeli shelling killed Rashid al-Najjar and two children in Khan Younis.", "Rosetta"),
    ("en", "An Israeli drone strike killed Hassan al-Amin, a Hezbollah commander, near Tyre.", "Hassan"),
    ("en", "Troops loyal to Ahmad bin Said clashed with rebels near Sanaa.", "Al Ahmadi"),
])
def test_an_arabic_given_name_before_a_family_name_is_no_place(pipeline, lang, text, not_there):
    """GeoNames gives Hebron the alternate "Khalil", Rosetta "Rashid": a given name before a name
    particle ("al-", "bin") and a capitalised word is a person's (`name_neighbours.particles`)."""
    assert not_there not in names(link(pipeline, text, lang))


def test_a_particle_before_a_lowercase_word_keeps_the_place(pipeline):
    assert location_of(pipeline, "Shelling hit Tyre al fresco markets, killing two.", "en")[0] == "Tyre"


def test_the_curated_alias_beats_a_geonames_name_merged_into_another_curated_place(pipeline):
    """Bare "Gaza" is the Strip's curated alias; GeoNames' "Gaza" on the (bigger) curated Gaza City
    decides nothing. National context still wins over the curated alias (Tripoli in Lebanon)."""
    assert location_of(pipeline, "Israeli strikes on Gaza killed 40 people on Sunday.", "en") == ("Gaza Strip", "PS")
    assert location_of(pipeline, "Gunmen clashed in Tripoli, the second city of Lebanon, near Beirut.", "en") \
        == ("Tripoli (Lebanon)", "LB")


def test_a_source_cue_names_the_first_place_after_it_only(pipeline):
    text = "Ukraine's top commander said in Kyiv that Russian shelling near Pokrovsk killed three civilians."
    assert location_of(pipeline, text, "en") == ("Pokrovsk", "UA")


@pytest.mark.parametrize("lang, text, place, country", [
    ("fr", "Le ministre a annoncé à Toulon qu'une frappe houthie a fait deux morts près de Hodeïda.", "Hodeidah", "YE"),
    ("es", "El canciller ruso dijo en Moscú que los bombardeos mataron a cuatro personas en Donetsk.", "Donetsk", "UA"),
    ("es", "El ministro pidió en Bruselas más ayuda tras el bombardeo que mató a seis personas en Járkov.", "Kharkiv",
     "UA"),
])
def test_where_a_statement_was_made_is_no_event_place(pipeline, lang, text, place, country):
    assert location_of(pipeline, text, lang) == (place, country)


def test_a_capital_elsewhere_does_not_replace_the_region(pipeline):
    """Shelling near Tavush: Yerevan, accused in the same sentence, is no more precise location."""
    text = "Президент Азербайджану звинуватив Єреван у провокаціях біля Тавуша, де поранено двох військових."
    assert location_of(pipeline, text, "uk") == ("Tavush", "AM")


def test_a_location_without_a_country_takes_the_next_event_places(pipeline):
    """The Red Sea has no country: the primary country is Sanaa's, not an alphabetical tie."""
    text = "Une frappe israélienne sur Sanaa a fait six morts, alors que des navires ont été attaqués en mer Rouge."
    assert link(pipeline, text, "fr").primary_country == "YE"


def test_only_the_articles_language_cues_count(pipeline):
    """French «à» folds to the Spanish "a": «pidió a Cúcuta» gives Cúcuta no place cue's weight in
    Spanish, as it does when every language's cues are looked for."""
    doc = build_document("La Defensoría pidió a Cúcuta habilitar albergues.")

    def weight(language: str | None) -> float:
        linking = link_doc(doc, pipeline.gazetteer, language=language)
        return next(e.weight for e in linking.entities if e.record.name == "Cúcuta")

    assert weight("es") == weight(None) - 1.0


@pytest.mark.parametrize("lang, text, place, country", [
    ("uk", "Унаслідок ракетного удару по Кривому Розі загинули четверо людей.", "Kryvyi Rih", "UA"),
    ("uk", "Ворог обстріляв Рівне, загинули двоє людей.", "Rivne", "UA"),
    ("ru", "Губернатор сообщил, что в Орле после атаки дронов погибли двое.", "Oryol", "RU"),
    ("fr", "Une attaque des ADF a fait 18 morts à Beni, dans le Nord-Kivu.", "Beni", "CD"),
    ("ru", "Турецкие беспилотники нанесли удар у плотины Тишрин, погибли пять человек.", "Tishrin Dam", "SY"),
    ("uk", "Голова Донецької ОВА повідомив, що росіяни обстріляли Краматорськ, загинули двоє людей.", "Kramatorsk",
     "UA"),
])
def test_places_the_audit_found_missing(pipeline, lang, text, place, country):
    """Stop-listed as words (Rivne, «рівне» "flat"; Beni, «béni»), or not in GeoNames' spelling."""
    assert location_of(pipeline, text, lang) == (place, country)


def test_a_person_named_like_a_country_is_the_person(pipeline):
    linking = link(pipeline, "La vicepresidenta Francia Márquez condenó la masacre de 12 personas en el Cauca.", "es")
    assert "France" not in names(linking) and "Francia Márquez" in names(linking)


#: Of the 120 sentences in tests/fixtures/entity_probes.tsv (20 per language, written by a helper session
#: with the people, organisations and places a careful annotator would mark), the ones that raise an alert:
#: how many get the expected primary country, a floor. 97 of 110 when written (2026-11-27 night), 106 after
#: the fixes above, 107 with `target` and meeting cues; 115 of 118 once eight of the ten events that had
#: raised nothing did ("firing on its positions", "150 clashes recorded", "recovered 23 bodies", «أسقطت 30
#: مسيرة», «обломков дрона», «дрони уразили»…; still none: two cities captured). Still wrong: "fired a
#: missile at Tel Aviv" outweighing "struck Hodeidah, killing six", Adré before Geneina across the
#: Chad–Sudan border, and a sea that is no country.
ENTITY_PROBES_ALERTS = 118
ENTITY_PROBES_PRIMARY_RIGHT = 115


def test_entity_probe_sentences_primary_country(pipeline):
    with (FIXTURES / "entity_probes.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    alerts, wrong = 0, []
    for row in rows:
        classification, linking, _ = pipeline.analyse(Article(id=row["id"], text=row["text"], language=row["lang"]),
                                                      row["lang"])
        if not classification.is_escalation:
            continue
        alerts += 1
        if linking.primary_country != row["expected_primary_country"]:
            wrong.append((row["id"], row["expected_primary_country"], linking.primary_country))
    assert alerts >= ENTITY_PROBES_ALERTS
    assert alerts - len(wrong) >= ENTITY_PROBES_PRIMARY_RIGHT, wrong


@pytest.mark.parametrize("lang, text, place, country", [
    ("en", "Russian missiles hit Kyiv, killing 12 people, as the foreign minister urged allies to send air defence.",
     "Kyiv", "UA"),
    ("en", "Israeli jets struck Beirut's southern suburbs, killing four, as Washington called for restraint.", "Beirut",
     "LB"),
    ("fr", "Le président a condamné les frappes russes sur Kiev qui ont fait 12 morts.", "Kyiv", "UA"),
    ("ru", "Зеленский призвал союзников усилить ПВО после удара по Киеву, в результате которого погибли пять человек.",
     "Kyiv", "UA"),
    ("ar", "دعا وزير الخارجية إلى وقف إطلاق النار بعد غارة إسرائيلية على بيروت أسفرت عن مقتل ثلاثة أشخاص.", "Beirut",
     "LB"),
])
def test_a_capital_that_was_hit_is_the_location_in_a_diplomatic_sentence(pipeline, lang, text, place, country):
    """`target` cues right before a capital: the capital was hit, whatever else the sentence urges."""
    assert location_of(pipeline, text, lang) == (place, country)


@pytest.mark.parametrize("lang, text, place, country", [
    ("en", "The EU called on Moscow to stop the shelling of Kharkiv, which killed five people.", "Kharkiv", "UA"),
    ("ru", "Лавров встретился в Вашингтоне с Рубио после того, как удар по Сумам унес жизни 30 человек.", "Sumy", "UA"),
    ("en", "Qatar's prime minister met Hamas leaders in Doha after an Israeli strike killed 20 people in Khan Younis.",
     "Khan Younis", "PS"),
])
def test_a_capital_called_on_or_met_in_is_no_target(pipeline, lang, text, place, country):
    assert location_of(pipeline, text, lang) == (place, country)


@pytest.mark.parametrize("lang, text, regions", [
    ("uk", "Росіяни обстріляли населені пункти Донецької та Луганської областей, загинули двоє людей.",
     {"Donetsk Oblast", "Luhansk Oblast"}),
    ("ru", "Удары по Харьковской и Сумской областям унесли жизни трех человек.", {"Kharkiv Oblast", "Sumy Oblast"}),
    ("ru", "ВСУ атаковали беспилотниками Белгородскую и Курскую области, погиб один человек.",
     {"Belgorod Oblast", "Kursk Oblast"}),
    ("en", "Russian shelling of the Donetsk and Luhansk regions killed five civilians.",
     {"Donetsk Oblast", "Luhansk Oblast"}),
])
def test_coordinated_adjectives_share_their_noun(pipeline, lang, text, regions):
    """«Донецької та Луганської областей»: the first adjective names an oblast too, not the city of
    Donetsk (`coordination` cues)."""
    linking = link(pipeline, text, lang)
    assert regions <= names(linking) and "Donetsk" not in names(linking)


@pytest.mark.parametrize("lang, text, city", [
    ("en", "Russia shelled Kharkiv and the Sumy region overnight, killing two.", "Kharkiv"),
    ("uk", "Росіяни обстріляли Харків та Сумську область, загинули двоє людей.", "Kharkiv"),
])
def test_a_city_before_a_coordinated_region_stays_a_city(pipeline, lang, text, city):
    assert city in names(link(pipeline, text, lang))


@pytest.mark.parametrize("lang, text, present, absent", [
    ("ru", "Военкор Поляков сообщил, что при обстреле Горловки погибли двое мирных жителей.", "Horlivka", "Poland"),
    ("ru", "Депутат Алексей Поляков заявил, что при обстреле Горловки погибли двое.", "Horlivka", "Poland"),
    ("ru", "Поляки и литовцы осудили удар по Львову, в результате которого погибли семь человек.", "Poland", None),
    ("ru", "Российские военные обстреляли Херсон, погибли два человека.", "Russia", None),
])
def test_a_capitalised_cyrillic_demonym_inside_a_sentence_is_a_surname(pipeline, lang, text, present, absent):
    found = names(link(pipeline, text, lang))
    assert present in found and absent not in found


@pytest.mark.parametrize("lang, text, absent", [
    ("ru", "Генерал-полковник Калинин заявил, что ВСУ обстреляли Белгород, погибли двое.", "Tver"),
    ("uk", "Речник бригади Шевченко повідомив, що росіяни обстріляли Херсон, загинули двоє людей.", "Shevchenka"),
    ("ru", "Эксперт Жданов заявил, что при обстреле погибли двое.", "Mariupol"),
    ("ru", "Журналист Литвиненко сообщил, что при обстреле погибли двое.", "Lithuania"),
])
def test_common_surnames_are_no_towns(pipeline, lang, text, absent):
    """Soviet-era names of towns (Калинин was Tver, Жданов Mariupol) and small towns named like the
    commonest surnames are stop-listed; Lithuania's stem «Литв*» had taken «Литвиненко»."""
    assert absent not in names(link(pipeline, text, lang))


def test_lithuania_in_its_case_forms(pipeline):
    found = names(link(pipeline, "В Литве и из Литвы сообщили, что удар по Львову унес жизни семи человек.", "ru"))
    assert "Lithuania" in found


@pytest.mark.parametrize("lang, text, absent, present", [
    ("ar", "قتل أحمد المصري واثنان من أبنائه في قصف إسرائيلي على خان يونس.", "Egypt", "Khan Younis"),
    ("ar", "استشهد عبد الله العراقي في غارة على دير البلح.", "Iraq", "Deir al-Balah"),
    ("ar", "قال الرئيس المصري إن القصف على غزة أسفر عن مقتل 20 شخصا.", None, "Egypt"),
    ("ar", "زاد الضغط على السوريين بعد القصف الذي أسفر عن مقتل 20 شخصا في حلب.", None, "Syria"),
])
def test_a_country_nisba_after_an_arabic_given_name_is_a_family_name(pipeline, lang, text, absent, present):
    found = names(link(pipeline, text, lang))
    assert present in found and absent not in found


# A review of the rules above (a helper session, the same night) found these broken by their first
# versions; each stays right.
@pytest.mark.parametrize("lang, text, place, country", [
    ("en", "Gunmen in Baghdad killed three people and took five hostages.", "Baghdad", "IQ"),  # no "host*"
    ("uk", "Сили ППО зустріли ворожі дрони над Києвом, уламки вбили двох людей.", "Kyiv", "UA"),  # no «зустрі*»
    ("ar", "قتل خمسة أشخاص في انفجار سيارة مفخخة في بغداد، واستقبل مستشفى الكندي الجرحى.", "Baghdad", "IQ"),
    ("en", "The EU imposed new sanctions on Moscow after Russian shelling of Kharkiv killed five people.", "Kharkiv",
     "UA"),  # a bare "on" is no target
    ("ar", "فرضت واشنطن عقوبات على طهران بعد هجوم بطائرة مسيرة أسفر عن مقتل ثلاثة أشخاص في أربيل.", "Erbil", "IQ"),
    ("es", "Tras el ataque con drones contra Járkov el Ejército ucraniano informó de cinco muertos.", "Kharkiv", "UA"),
    ("en", "Ukrainian drones struck Shebekino, killing two, according to the Russian governor in Belgorod.",
     "Shebekino", "RU"),  # a demonym does not end a source cue's reach
])
def test_what_the_review_of_the_new_rules_found(pipeline, lang, text, place, country):
    assert location_of(pipeline, text, lang) == (place, country)


@pytest.mark.parametrize("lang, text, present", [
    ("ru", "Обстрелы Донецка и Донецкой области унесли жизни трех человек.", {"Donetsk", "Donetsk Oblast"}),
    ("en", "Russian missiles hit Kyiv and Odesa region, killing four.", {"Kyiv", "Odesa Oblast"}),
    ("uk", "Збройні сили Російської Федерації обстріляли Херсон, загинули двоє людей.", {"Russia", "Kherson"}),
    ("uk", "Він сказав: «Російські війська обстріляли Херсон, загинули двоє людей».", {"Russia", "Kherson"}),
    ("ru", "Командующий армией Аль-Бурхан заявил, что удар по Омдурману убил пять человек.", {"Abdel Fattah al-Burhan"}),
])
def test_a_city_before_its_region_and_names_of_several_capitalised_words_stay(pipeline, lang, text, present):
    assert present <= names(link(pipeline, text, lang))


@pytest.mark.parametrize("lang, text, place", [
    ("uk", "У Стамбулі завершився раунд переговорів щодо перемир'я. Росія обстріляла Запоріжжя.", "Zaporizhzhia"),
    ("en", "Ceasefire talks resumed in Geneva on Monday. Israeli strikes killed 12 people in Khan Younis.", "Khan Younis"),
])
def test_where_truce_talks_are_held_is_no_event_place(pipeline, lang, text, place):
    """A diplomatic sentence whose only evidence is a ceasefire gives its places no event credit."""
    assert location_of(pipeline, text, lang)[0] == place


def test_a_ceasefire_violated_somewhere_is_still_an_event_there(pipeline):
    text = "Azerbaijan said Armenian forces violated the ceasefire near Tovuz overnight."
    assert location_of(pipeline, text, "en")[0] == "Tovuz"


def test_benny_gantz_is_no_beni(pipeline):
    found = names(link(pipeline, "Бени Ганц заявил, что при обстреле Кирьят-Шмона погибли двое.", "ru"))
    assert "Benny Gantz" in found and "Beni" not in found


def test_el_obeid_only_as_the_city_of_al_abyad(pipeline):
    """«الأبيض» alone is "the white" («البيت الأبيض», the White House); «مدينة الأبيض» is El Obeid."""
    assert link(pipeline, "قتل 5 مدنيين في قصف على مدينة الأبيض.", "ar").location.record.name == "El Obeid"
    found = link(pipeline, "قال البيت الأبيض إن القصف على الخرطوم قتل 5 مدنيين.", "ar").entities
    assert "El Obeid" not in {e.record.name for e in found}
