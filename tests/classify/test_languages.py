"""The classifier in each of its six languages, one sentence at a time.

Every sentence below was written by us, in the way the wire services of each language phrase such
news (AP/Reuters; Al Jazeera, Asharq Al-Awsat, SANA; RIA, TASS, Interfax; Ukrinform, UNIAN; AFP,
Le Monde; EFE). None is copied from an article or from any evaluation set. Russian, Ukrainian and
French have no public gold set, so for them these tables are the regression net.

Tables, one concern each: categories; ceasefire subtypes; warnings that are not violations; events
without casualties; denials; threats and other hypotheticals; casualty counts (number words,
Arabic-Indic and Persian digits, lower bounds); Russian/Ukrainian inflection; territorial-control
and other general armed-clash phrasing, with look-alikes that must stay quiet.
"""

from __future__ import annotations

import orjson
import pytest

from streamproc.ingest.article import Article
from tests.conftest import FIXTURES

LANGS = ("en", "ar", "ru", "uk", "fr", "es")


def classify(pipeline, lang: str, text: str):
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang), lang)
    return c


def why(c) -> str:
    """What matched and what was suppressed, for assertion messages."""
    matched = {name: [e.rule for e in hit.evidence] for name, hit in c.categories.items()}
    suppressed = [(s.role, s.evidence.rule, s.reason) for s in c.suppressed]
    return f"matched={matched} suppressed={suppressed} casualties={c.casualties}"


def ids(rows, *, at: int = 1) -> list[str]:
    """Readable test ids: language plus the start of the sentence."""
    return [f"{row[0]}:{row[at][:40]}" for row in rows]


# --- one sentence per category and language ------------------------------------------------------

CATEGORIES = [
    ("en", "Russian forces shelled the town of Kupiansk overnight, the regional governor said.", "shelling"),
    # headlines in the present tense
    ("en", "Bomb explodes at a bank branch in Bogota", "explosion"),
    ("en", "A bomb goes off outside a police station in Kabul", "explosion"),
    ("es", "Estalla una bomba frente a un banco en Bogotá", "explosion"),
    ("es", "UNA BOMBA EXPLOTA EN UNA SUCURSAL BANCARIA", "explosion"),
    ("en", "Israeli warplanes carried out airstrikes on southern Lebanon on Tuesday.", "airstrike"),
    ("en", "Government troops recaptured the village after fierce clashes with rebels.", "armed_clash"),
    ("en", "A car bomb exploded near a police checkpoint in Mogadishu.", "explosion"),
    ("en", "Three soldiers were killed and five wounded in the ambush.", "casualties"),
    ("en", "Gunmen assassinated a local council member outside his home on Monday.", "casualties"),

    ("ar", "قصفت قوات النظام بالمدفعية الثقيلة بلدات في ريف إدلب الجنوبي.", "shelling"),
    ("ar", "شنت طائرات حربية غارات جوية على مواقع في جنوب لبنان.", "airstrike"),
    ("ar", "اندلعت اشتباكات عنيفة بين الجيش ومسلحين في ريف درعا.", "armed_clash"),
    ("ar", "انفجرت عبوة ناسفة بدورية عسكرية على طريق درعا.", "explosion"),
    ("ar", "قتل ثلاثة جنود وأصيب خمسة آخرون في هجوم على حاجز.", "casualties"),
    ("ar", "اغتال مسلحون مجهولون قياديا في الحركة شرق المدينة.", "casualties"),
    ("ar", "اغتيل ضابط في الجيش بإطلاق نار على سيارته.", "casualties"),

    ("ru", "ВСУ обстреляли Горловку из РСЗО, сообщили в администрации города.", "shelling"),
    ("ru", "Израильская авиация нанесла авиаудар по окрестностям Дамаска.", "airstrike"),
    ("ru", "В районе Часова Яра идут ожесточенные бои.", "armed_clash"),
    ("ru", "У здания городской администрации прогремел взрыв.", "explosion"),
    ("ru", "В результате удара погибли 15 человек, еще 30 получили ранения.", "casualties"),

    ("uk", "Окупанти обстріляли Херсон з артилерії.", "shelling"),
    ("uk", "Російська авіація завдала авіаудару по Запоріжжю.", "airstrike"),
    ("uk", "На Покровському напрямку тривають запеклі бої.", "armed_clash"),
    ("uk", "У центрі Одеси пролунав вибух.", "explosion"),
    ("uk", "Внаслідок удару загинули 15 людей, ще 30 отримали поранення.", "casualties"),

    ("fr", "L'armée russe a bombardé la ville de Kherson dans la nuit.", "shelling"),
    ("fr", "Des avions israéliens ont mené des frappes aériennes sur le sud du Liban.", "airstrike"),
    ("fr", "De violents combats opposent l'armée aux jihadistes dans le nord du pays.", "armed_clash"),
    ("fr", "Une voiture piégée a explosé près d'un poste de contrôle à Mogadiscio.", "explosion"),
    ("fr", "Trois soldats ont été tués et cinq autres blessés dans l'embuscade.", "casualties"),

    ("es", "El ejército ruso bombardeó la ciudad de Jersón durante la noche.", "shelling"),
    ("es", "Aviones israelíes lanzaron ataques aéreos contra el sur del Líbano.", "airstrike"),
    ("es", "Intensos combates entre el ejército y los rebeldes sacuden el este del país.", "armed_clash"),
    ("es", "Un coche bomba explotó cerca de un puesto de control en Mogadiscio.", "explosion"),
    ("es", "Tres soldados murieron y cinco resultaron heridos en la emboscada.", "casualties"),
]


@pytest.mark.parametrize("lang, text, category", CATEGORIES, ids=ids(CATEGORIES))
def test_category(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    assert category in c.categories, why(c)


def test_every_language_has_every_category():
    for lang in LANGS:
        seen = {cat for lg, _, cat in CATEGORIES if lg == lang}
        assert seen == {"shelling", "airstrike", "armed_clash", "explosion", "casualties"}, lang


# --- ceasefire subtypes ----------------------------------------------------------------------------

CEASEFIRES = [
    ("en", "The UN Secretary-General called for an immediate ceasefire in Gaza.", "call"),
    ("en", "Israel and Hamas agreed to a ceasefire that took effect on Sunday morning.", "agreement"),
    ("en", "Both sides accused each other of violating the truce overnight.", "violation"),
    ("en", "The Secretary-General urged both sides to agree to an immediate ceasefire.", "call"),
    ("en", "Mediators pressed the warring parties to agree to a truce before the holiday.", "call"),
    ("en", "Hamas agrees to a ceasefire proposal put forward by Egypt and Qatar.", "agreement"),
    ("ar", "دعا الأمين العام للأمم المتحدة إلى وقف فوري لإطلاق النار في غزة.", "call"),
    ("ar", "أعلن الطرفان التوصل إلى اتفاق لوقف إطلاق النار يدخل حيز التنفيذ صباح الأحد.", "agreement"),
    ("ar", "اتهم الجيش الفصائل المسلحة بخرق الهدنة في ريف إدلب.", "violation"),
    ("ru", "Генсек ООН призвал стороны к немедленному прекращению огня.", "call"),
    ("ru", "Стороны договорились о перемирии, которое вступит в силу в полночь.", "agreement"),
    ("ru", "Минобороны обвинило украинскую сторону в нарушении режима тишины.", "violation"),
    ("uk", "Генсек ООН закликав сторони до негайного припинення вогню.", "call"),
    ("uk", "Сторони домовилися про перемир'я, яке набуде чинності опівночі.", "agreement"),
    ("uk", "Росія порушила великоднє перемир'я, заявили в Генштабі.", "violation"),
    ("fr", "Le secrétaire général de l'ONU a appelé à un cessez-le-feu immédiat à Gaza.", "call"),
    ("fr", "Israël et le Hamas ont conclu une trêve qui est entrée en vigueur dimanche matin.", "agreement"),
    ("fr", "Les deux camps s'accusent mutuellement d'avoir violé le cessez-le-feu.", "violation"),
    ("es", "El secretario general de la ONU pidió un alto el fuego inmediato en Gaza.", "call"),
    ("es", "Israel y Hamás acordaron una tregua que entró en vigor el domingo.", "agreement"),
    ("es", "Ambas partes se acusan mutuamente de violar el alto el fuego.", "violation"),
]


@pytest.mark.parametrize("lang, text, subtype", CEASEFIRES, ids=ids(CEASEFIRES))
def test_ceasefire_subtype(pipeline, lang, text, subtype):
    c = classify(pipeline, lang, text)
    assert "ceasefire" in c.categories, why(c)
    assert c.categories["ceasefire"].subtype == subtype, why(c)


# A warning that a ceasefire could collapse is news about the ceasefire (a call to keep it), not a
# report that it was broken.
WARNINGS = [
    ("en", "The UN envoy warned that the ceasefire could collapse."),
    ("ar", "حذر المبعوث الأممي من أن الهدنة قد تنهار."),
    ("ru", "Президент предупредил, что перемирие может сорваться."),
    ("uk", "Президент попередив, що перемир'я може зірватися."),
    ("fr", "Le président a averti que la trêve pourrait s'effondrer."),
    ("es", "El presidente advirtió que la tregua podría colapsar."),
]


@pytest.mark.parametrize("lang, text", WARNINGS, ids=ids(WARNINGS))
def test_warning_of_collapse_is_not_a_violation(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "ceasefire" in c.categories, why(c)
    assert c.categories["ceasefire"].subtype != "violation", why(c)


@pytest.mark.parametrize("lang, text", WARNINGS, ids=ids(WARNINGS))
def test_warning_of_collapse_is_a_call(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert c.categories["ceasefire"].subtype == "call", why(c)


# --- events without casualties ---------------------------------------------------------------------

NO_CASUALTIES = [
    ("en", "The market was shelled overnight but no casualties were reported.", "shelling"),
    ("en", "A roadside bomb exploded near the convoy; nobody was injured.", "explosion"),
    ("ar", "سقطت قذيفة على حي سكني ولم تسفر عن إصابات.", "shelling"),
    ("ar", "لم تسفر الغارة عن وقوع إصابات.", "airstrike"),
    ("ar", "لم يسفر القصف عن سقوط قتلى أو جرحى.", "shelling"),
    ("ar", "سقطت قذيفة على حي سكني دون وقوع إصابات.", "shelling"),
    ("ru", "Снаряд попал в жилой дом, жертв нет.", "shelling"),
    ("ru", "Снаряд попал в жилой дом, пострадавших нет.", "shelling"),
    ("ru", "В результате обстрела никто не пострадал.", "shelling"),
    ("ru", "После обстрела погибших и пострадавших нет.", "shelling"),
    ("uk", "Снаряд влучив у житловий будинок, жертв немає.", "shelling"),
    ("uk", "Снаряд влучив у житловий будинок, постраждалих немає.", "shelling"),
    ("uk", "Внаслідок обстрілу ніхто не постраждав.", "shelling"),
    ("uk", "Після обстрілу загиблих і постраждалих немає.", "shelling"),
    ("fr", "Un obus est tombé sur un immeuble ; aucune victime n'est à déplorer.", "shelling"),
    ("fr", "L'explosion n'a fait aucun blessé.", "explosion"),
    ("fr", "Le bombardement n'a fait aucune victime.", "shelling"),
    ("es", "Un proyectil cayó sobre un edificio, no hubo víctimas.", "shelling"),
    ("es", "No hubo muertos ni heridos tras el bombardeo.", "shelling"),
    ("es", "El proyectil impactó en un edificio sin causar víctimas.", "shelling"),
]


@pytest.mark.parametrize("lang, text, event", NO_CASUALTIES, ids=ids(NO_CASUALTIES))
def test_event_without_casualties(pipeline, lang, text, event):
    c = classify(pipeline, lang, text)
    assert event in c.categories, why(c)
    assert "casualties" not in c.categories, why(c)
    assert c.casualties.killed is None and c.casualties.injured is None, why(c)


# --- denials and hypotheticals ---------------------------------------------------------------------

DENIALS = [
    ("en", "The army denied shelling civilian areas."),
    ("en", "The ministry denied shelling the village."),
    ("ar", "نفى الجيش قصف المناطق السكنية."),
    ("ar", "نفت وزارة الدفاع قصف القرية."),
    ("ru", "Минобороны опровергло обстрел жилых кварталов."),
    ("uk", "Генштаб спростував обстріл житлових кварталів."),
    ("fr", "L'armée a démenti avoir bombardé des zones civiles."),
    ("es", "El ejército negó haber bombardeado zonas civiles."),
]


@pytest.mark.parametrize("lang, text", DENIALS, ids=ids(DENIALS))
def test_denied_shelling_is_not_an_event(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "shelling" not in c.categories, why(c)
    assert not c.is_escalation, why(c)


THREATS = [
    ("en", "Officials warned that Russia could launch airstrikes on the city."),
    ("ar", "حذر مسؤولون من أن إسرائيل قد تشن غارات جوية على المدينة."),
    ("ru", "Власти предупредили, что противник может нанести авиаудар по городу."),
    ("uk", "У ЗСУ попередили, що ворог може завдати авіаудару по місту."),
    ("fr", "Les autorités ont averti que l'armée pourrait mener des frappes aériennes sur la ville."),
    ("es", "Las autoridades advirtieron que el ejército podría lanzar ataques aéreos contra la ciudad."),
]


@pytest.mark.parametrize("lang, text", THREATS, ids=ids(THREATS))
def test_threatened_airstrike_is_not_an_event(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "airstrike" not in c.categories, why(c)
    assert not c.is_escalation, why(c)


# --- casualty counts -------------------------------------------------------------------------------

COUNTS = [
    # (lang, text, killed, killed_at_least, injured)
    ("en", "A dozen soldiers were killed in the ambush.", 12, False, None),
    ("en", "At least 15 people were killed and 30 wounded in the attack.", 15, True, 30),
    ("en", "Three civilians were killed in the shelling.", 3, False, None),
    ("ar", "قتل ثلاثة جنود وأصيب خمسة آخرون في هجوم على حاجز.", 3, False, 5),
    ("ar", "لقي ثلاثة جنود مصرعهم في كمين.", 3, False, None),
    ("ar", "قتل ١٢ مدنيا وأصيب ٣٠ آخرون في قصف على السوق.", 12, False, 30),   # Arabic-Indic digits
    ("ar", "قتل ۱۵ شخصا على الأقل في قصف على المدينة.", 15, True, None),         # Persian digits
    ("ru", "В результате обстрела погибли трое военных.", 3, False, None),
    ("ru", "В результате обстрела погибли не менее 15 человек.", 15, True, None),
    ("ru", "Погибли двенадцать человек, еще десять ранены.", 12, False, 10),
    ("uk", "Внаслідок обстрілу загинули троє військових.", 3, False, None),
    ("uk", "Унаслідок обстрілу загинули щонайменше 15 людей.", 15, True, None),
    ("fr", "Trois soldats ont été tués et cinq autres blessés dans l'embuscade.", 3, False, 5),
    ("fr", "Au moins 15 personnes ont été tuées dans le bombardement.", 15, True, None),
    ("es", "Tres soldados murieron y cinco resultaron heridos en la emboscada.", 3, False, 5),
    ("es", "Al menos 15 personas murieron en el bombardeo.", 15, True, None),
]

# «une dizaine» is about ten, not 1 + 10: adjacent number words are added up in code.
APPROXIMATE_COUNTS = [
    ("fr", "L'armée a tué une dizaine de jihadistes lors d'une opération.", 10, False, None),
    ("fr", "Une douzaine de soldats ont été tués dans l'attaque.", 12, False, None),
    ("es", "Una decena de soldados murieron en el ataque.", 10, False, None),
]

# A comma ends a clause: the second number belongs to the term after it in its own clause, not to the
# death verb it directly follows.
CLAUSE_COUNTS = [
    ("en", "Two soldiers were killed, five were wounded in the attack.", 2, False, 5),
    ("en", "Two soldiers were killed, three others wounded, the army said.", 2, False, 3),
    ("en", "The strike killed five, wounded 12 and destroyed a school.", 5, False, 12),
    ("ar", "قتل جنديان، وأصيب خمسة آخرون في الهجوم.", 2, False, 5),
    ("ru", "Двое военных погибли, пятеро получили ранения.", 2, False, 5),
    ("ru", "Погибли, по предварительным данным, 15 человек.", 15, False, None),
    ("uk", "Двоє військових загинули, п'ятеро дістали поранення.", 2, False, 5),
    ("uk", "Двоє військових загинули, п'ятеро поранені.", 2, False, 5),
    ("fr", "Deux soldats ont été tués, cinq autres ont été blessés.", 2, False, 5),
    ("es", "Dos soldados murieron, otros cinco resultaron heridos.", 2, False, 5),
]

# A lower bound between the verb and its number keeps the number with the verb: "killed at least five"
# is as near to "killed" as "killed five", not nearer to a "wounded" after it.
LOWER_BOUND_AFTER_VERB = [
    ("en", "Russian forces killed at least five civilians and wounded 12 others.", 5, True, 12),
    ("en", "Russian forces killed at least five civilians and wounded others.", 5, True, None),
    ("en", "The blast killed more than 20 people and injured dozens.", 20, True, None),
    ("ar", "قتل ما لا يقل عن خمسة مدنيين وأصيب 12 آخرون في القصف.", 5, True, 12),
    ("ru", "Обстрел унес жизни не менее пяти мирных жителей, еще 12 человек ранены.", 5, True, 12),
    ("ru", "Погибли не менее пяти мирных жителей и ранены 12 человек.", 5, True, 12),
    ("uk", "Загинули щонайменше п'ятеро цивільних і поранені 12 людей.", 5, True, 12),
    ("fr", "La frappe a tué au moins cinq civils et blessé 12 autres personnes.", 5, True, 12),
    ("es", "El ataque mató al menos a cinco civiles e hirió a otras 12 personas.", 5, True, 12),
]

# A range counts as its lower figure, a lower bound (the conservative estimate, as ACLED codes it): it
# used to give the upper one. A change of count has no opening cue and keeps the larger number.
RANGES = [
    ("en", "Between 10 and 15 civilians were killed in the shelling of Kharkiv.", 10, True, None),
    ("en", "The shelling killed between ten and fifteen civilians and wounded 20.", 10, True, 20),
    ("en", "Shelling killed 10-15 civilians in Kharkiv.", 10, True, None),
    ("en", "Shelling killed 10 civilians; the death toll rose from 10 to 15 by evening, 15 killed in all.",
     15, False, None),
    ("ar", "قتل ما بين 10 و 15 مدنيا في قصف على حلب.", 10, True, None),
    ("ru", "От 10 до 15 мирных жителей погибли при обстреле Харькова.", 10, True, None),
    ("ru", "При обстреле погибли между 10 и 15 мирными жителями.", 10, True, None),
    ("uk", "Від 10 до 15 мирних жителів загинули внаслідок обстрілу Харкова.", 10, True, None),
    ("fr", "Entre 10 et 15 civils ont été tués dans le bombardement de Kharkiv.", 10, True, None),
    ("es", "Entre 10 y 15 civiles murieron en el bombardeo de Járkov.", 10, True, None),
]

# Digits before a multiplier word are one number («5 тысяч» gave 1,000); a lone plural multiplier is a
# vague quantity ("thousands"), not a count («тысячи погибших» gave exactly 1,000).
MULTIPLIED = [
    ("en", "5 thousand soldiers were killed in the shelling.", 5000, False, None),
    ("ru", "Более 5 тысяч человек погибли при обстреле.", 5000, True, None),
    ("ru", "Две тысячи человек погибли при обстреле.", 2000, False, None),
    ("ru", "Тысяча человек погибла при обстреле.", 1000, False, None),
    ("ru", "Тысячи мирных жителей погибли при обстреле Харькова.", None, False, None),
    ("uk", "Тисячі мирних жителів загинули внаслідок обстрілу.", None, False, None),
    ("uk", "Понад 2 тисячі людей загинули внаслідок обстрілу.", 2000, True, None),
    ("es", "Al menos 3 mil personas murieron en los bombardeos.", 3000, True, None),
]

# Groups of one count add up ("3 soldiers and 5 civilians" gave 5, the larger); a total with its
# breakdown, alternatives ("3 or 4") and a group of another term do not. Arabic glues its "and" to the
# number («و5»), which also made «بين 10 و15» no range.
GROUPS = [
    ("en", "Shelling killed 3 soldiers and 5 civilians in Kharkiv.", 8, False, None),
    ("en", "Three soldiers and five civilians were killed in the shelling.", 8, False, None),
    ("en", "Shelling killed at least 3 soldiers and 5 civilians.", 8, True, None),
    ("en", "Shelling killed 10 people, including 3 soldiers and 5 civilians.", 10, False, None),
    ("en", "Shelling killed 3 people, including 2 soldiers.", 3, False, None),
    ("en", "The shelling killed 3 or 4 people in Kharkiv.", 4, False, None),
    ("en", "Shelling killed 3 soldiers and wounded 5 civilians.", 3, False, 5),
    ("en", "Shelling killed 3 soldiers, and 5 civilians were wounded.", 3, False, 5),
    ("ar", "قتل 3 جنود و5 مدنيين في قصف على حلب.", 8, False, None),
    ("ar", "قتل 3 جنود و 5 مدنيين في قصف على حلب.", 8, False, None),
    ("ar", "قتل ما بين 10 و15 مدنيا في قصف على حلب.", 10, True, None),
    ("ru", "При обстреле погибли 3 военных и 5 мирных жителей.", 8, False, None),
    ("uk", "Внаслідок обстрілу загинули 3 військових та 5 цивільних.", 8, False, None),
    ("fr", "Le bombardement a tué 3 soldats et 5 civils.", 8, False, None),
    ("es", "El bombardeo mató a 3 soldados y 5 civiles.", 8, False, None),
    # A helper's review of the first version: the term between the groups, partitives, a cue after
    # the link, and the clause "and 12 others were injured" (12 went to the nearer *killed*).
    ("en", "Ten soldiers were killed and five civilians were wounded in the shelling.", 10, False, 5),
    ("en", "Three people were killed and 12 others were injured in the attack.", 3, False, 12),
    ("en", "Three people were killed and two others are missing after the strike.", 3, False, None),
    ("en", "The strike killed 12 people and 4 of the victims were children.", 12, False, None),
    ("en", "Shelling killed 3 soldiers and at least 5 civilians in Kharkiv.", 8, True, None),
    ("en", "Shelling killed 3 soldiers and 5 civilians in the attack that wounded 10.", 8, False, 10),
    ("ar", "مقتل 10 أشخاص و3 منهم أطفال في قصف على حلب.", 10, False, None),
    ("ar", "قتل 3 جنود وما لا يقل عن 5 مدنيين في قصف على حلب.", 8, True, None),
    ("ar", "قتل 3 جنود و5 مدنيين أصيبوا في قصف على حلب.", 3, False, 5),
    ("ru", "10 военных погибли и 5 мирных жителей получили ранения.", 10, False, 5),
    ("ru", "Погибли 10 человек и 3 из них дети.", 10, False, None),
    ("es", "10 personas murieron y 5 civiles fueron heridos en el bombardeo.", 10, False, 5),
    ("fr", "10 soldats tués et 5 civils ont été blessés dans le bombardement.", 10, False, 5),
    # A second review: "of the" alone is no partitive, a cue before «و20» is the 12's, "and another N",
    # a longer reach, and a term that "and" begins is another clause.
    ("en", "The gunmen killed 2 officers and 3 of the hostages.", 5, False, None),
    ("ar", "مقتل 12 شخصا على الأقل و20 جريحا في قصف على حلب.", 12, True, 20),
    ("es", "Tres personas murieron y otras 12 personas resultaron gravemente heridas en el ataque.", 3, False, 12),
    ("en", "Two people were killed and 12 others were also seriously wounded in the attack.", 2, False, 12),
    ("en", "Shelling killed 3 soldiers and 5 civilians and injured 12 others.", 8, False, 12),
    ("ar", "قتل 3 جنود و5 مدنيين وأصيب 10 آخرون في قصف على حلب.", 8, False, 10),
]

ALL_COUNTS = COUNTS + APPROXIMATE_COUNTS + CLAUSE_COUNTS + LOWER_BOUND_AFTER_VERB + RANGES + MULTIPLIED + GROUPS


@pytest.mark.parametrize("lang, text, killed, at_least, injured",
                         ALL_COUNTS, ids=ids(ALL_COUNTS))
def test_casualty_counts(pipeline, lang, text, killed, at_least, injured):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)
    assert c.casualties.killed_at_least is at_least, why(c)
    assert c.casualties.injured == injured, why(c)


# A number right before a unit of time or distance is a measure, not a count of people: "killed two
# weeks ago" once gave two killed, and "killed more than 20 years ago" twenty (that one is now a past
# event as a whole: see PAST_EVENTS). A year is no count either, unless a word for people follows it
# right after a casualty term (COUNTS_LIKE_YEARS_AND_THOUSANDS).
MEASURES = [
    ("en", "The journalist, killed two weeks ago, was buried on Sunday after the shelling.", None, "shelling"),
    ("en", "The shelling killed residents of a street that had stood for more than 20 years.", None, "shelling"),
    ("en", "Shelling killed 12 soldiers over three days near the front.", 12, "shelling"),
    ("en", "The shelling killed 12 day laborers near the border.", 12, "shelling"),
    ("ar", "قتل 3 أيام من القصف المتواصل على المدينة.", None, "shelling"),
    ("ar", "قتل 12 جنديا خلال 24 ساعة من القصف.", 12, "shelling"),
    ("ru", "Обстрел, погибли 3 дня назад двое военных.", 2, "shelling"),
    ("ru", "Под обстрелом погибли 12 человек за 24 часа.", 12, "shelling"),
    ("uk", "Внаслідок обстрілу загинули 12 людей за 24 години.", 12, "shelling"),
    ("fr", "Le bombardement a tué il y a 3 jours deux soldats.", 2, "shelling"),
    ("es", "El bombardeo mató hace 3 días a dos soldados.", 2, "shelling"),
]


@pytest.mark.parametrize("lang, text, killed, category", MEASURES, ids=ids(MEASURES))
def test_a_number_before_a_unit_is_not_a_count(pipeline, lang, text, killed, category):
    c = classify(pipeline, lang, text)
    assert category in c.categories, why(c)
    assert c.casualties.killed == killed, why(c)


# --- inflection ------------------------------------------------------------------------------------

INFLECTED_SHELLING = [
    ("ru", "Под обстрелом оказались жилые кварталы Донецка."),
    ("ru", "Обстрелы приграничных сел продолжаются второй день."),
    ("ru", "Жители рассказали об обстреле рынка."),
    ("uk", "Під обстрілом опинилися житлові квартали Харкова."),
    ("uk", "Обстрілом пошкоджено дві багатоповерхівки."),
    ("uk", "Обстріли прикордонних сіл тривають другу добу."),
]


@pytest.mark.parametrize("lang, text", INFLECTED_SHELLING, ids=ids(INFLECTED_SHELLING))
def test_inflected_shelling(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "shelling" in c.categories, why(c)


# A drone "attacked" in every gender, number and tense: «атакував» (masculine) is not «атакувал*».
DRONE_ATTACKED = [
    ("uk", "Російський дрон атакував автобус у Нікополі."),
    ("uk", "Ворожий безпілотник атакував цивільний автомобіль."),
    ("uk", "Російська БпЛА атакувала пасажирський потяг."),
    ("uk", "Дрони атакували енергетичну інфраструктуру області."),
    ("uk", "Вночі ворожі дрони атакують прикордонні громади."),
    ("ru", "Российский дрон атаковал автобус в Никополе."),
    ("ru", "Беспилотник атаковал нефтебазу в области."),
    ("ru", "Дроны атакуют приграничные районы каждую ночь."),
]


@pytest.mark.parametrize("lang, text", DRONE_ATTACKED, ids=ids(DRONE_ATTACKED))
def test_a_drone_attacked_is_an_airstrike(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "airstrike" in c.categories, why(c)


# --- compounds -------------------------------------------------------------------------------------

# A cue word that is the first half of a hyphenated compound is not a cue: "would-be attackers" were
# real attackers, "no-fly zone" negates nothing. Without the hyphen the cue still governs.
COMPOUND_CUES = [
    ("en", "Two would-be attackers were shot dead after they opened fire on a checkpoint.", "casualties"),
    ("en", "A would-be suicide bomber blew himself up at a checkpoint, killing three soldiers.", "explosion"),
    ("en", "A would\u2011be suicide bomber blew himself up at a checkpoint, killing three soldiers.", "explosion"),
    ("en", "Warplanes bombed the town inside the no-fly zone on Monday.", "airstrike"),
    ("en", "Officials warned the town would be shelled if the rebels did not withdraw.", None),
    ("en", "No shelling was reported overnight.", None),
]


@pytest.mark.parametrize("lang, text, category", COMPOUND_CUES, ids=ids(COMPOUND_CUES))
def test_a_cue_word_inside_a_hyphenated_compound_governs_nothing(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    if category is None:
        assert not c.is_escalation, why(c)
    else:
        assert category in c.categories, why(c)


# --- causes outside armed conflict ----------------------------------------------------------------

# Deaths, injuries and blasts from floods, road and industrial accidents, earthquakes and gas: no
# escalation (``non_conflict`` terms suppress them in their sentence, and an article naming no armed
# violence anywhere drops its casualties).
NON_CONFLICT = [
    ("en", "Twelve people were killed when a bus plunged into a ravine in a road accident on Sunday."),
    ("en", "Two workers were injured when a furnace exploded at a steel mill on Tuesday."),
    ("en", "A gas explosion in an apartment block killed three residents, firefighters said."),
    ("en", "Floods killed at least 20 people in the south of the country."),
    ("en", "Nine passengers died and 30 were hurt in the accident, the transport ministry said."),
    # a robber and a hunt (natural_category_paragraphs_4.tsv)
    ("en", "Police in Marseille shot dead an armed robber who opened fire on officers on Friday."),
    ("fr", "Un randonneur a été tué par balle samedi lors d'une battue au sanglier en Savoie."),
    ("es", "Un atracador murió abatido por la policía tras asaltar una joyería en Valencia."),
    ("ru", "Двое мужчин погибли на охоте в Тверской области, сообщили в полиции."),
    ("uk", "Поліцейські поранили грабіжника, який погрожував продавчині ножем."),
    ("ar", "قتل شاب برصاصة طائشة خلال رحلة صيد في ريف المدينة."),
    # crime, household gas and light aircraft (natural_category_paragraphs_3.tsv)
    ("fr", "Un convoyeur a été blessé par balle lors d'un braquage à Marseille."),
    ("es", "Los siete ocupantes de una avioneta murieron al despegar del aeródromo."),
    ("uk", "Внаслідок вибуху побутового газу в квартирі загинула жінка."),
    ("ar", "أصيب حارس بجروح في سطو مسلح على محل صرافة في طرابلس."),
    ("ar", "لقي خمسة أشخاص مصرعهم في حادث سير على الطريق الدولي."),
    ("ar", "أسفرت السيول عن مقتل ثلاثة أشخاص في جنوب البلاد."),
    ("ar", "أدى انفجار أسطوانة غاز إلى إصابة أربعة أشخاص في مطعم."),
    ("ar", "قتل سبعة أشخاص في زلزال ضرب المنطقة فجر اليوم."),
    ("ru", "В результате ДТП на трассе погибли четыре человека."),
    ("ru", "Наводнение унесло жизни 12 человек."),
    ("ru", "Взрыв бытового газа в жилом доме ранил трех человек."),
    ("uk", "Унаслідок ДТП на трасі загинули троє людей."),
    ("uk", "Вибух газу в житловому будинку травмував двох мешканців."),
    ("uk", "Через повінь загинули п'ятеро людей."),
    ("fr", "Un accident de la route a fait trois morts dimanche."),
    ("fr", "Les inondations ont fait au moins 15 morts dans le sud du pays."),
    ("fr", "Une explosion de gaz dans un immeuble a blessé quatre personnes."),
    ("es", "Un accidente de tráfico dejó cuatro muertos en la carretera."),
    ("es", "Las inundaciones causaron al menos 10 muertos en el sur del país."),
    ("es", "Una explosión de gas en un edificio dejó tres heridos."),
    # fireworks: a show's "explosions" of colour, a fireworks depot blowing up
    ("en", "Crowds cheered as explosions of colour lit up the sky during the fireworks display."),
    ("en", "Two people were injured when a stock of fireworks exploded in a garage."),
    ("ar", "أضاءت الألعاب النارية سماء المدينة وسط دوي الانفجارات احتفالا بالعيد."),
    ("ru", "Взрывы фейерверков озарили небо над набережной в новогоднюю ночь."),
    ("uk", "Вибухи феєрверків розфарбували небо над містом у новорічну ніч."),
    ("fr", "Des explosions ont retenti au-dessus du port pendant le feu d'artifice du 14 juillet."),
    ("es", "Los fuegos artificiales llenaron el cielo de explosiones de color durante la fiesta."),
    # riot-control munitions fired at a protest: the grenade belongs to the cause, no weapon of war
    ("en", "Police fired tear gas and stun grenades at protesters, and three people died."),
    ("fr", "La police a lancé des grenades lacrymogènes sur les manifestants, trois personnes ont été tuées."),
    ("es", "La policía lanzó granadas lacrimógenas contra los manifestantes y murieron tres personas."),
]


@pytest.mark.parametrize("lang, text", NON_CONFLICT, ids=ids(NON_CONFLICT))
def test_cause_outside_armed_conflict_is_not_escalation(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.is_escalation, why(c)


# The same cause beside shelling: the shelling and its dead count, the flood's dead do not.
# A hunt or a robber beside armed violence is no cause of it.
HUNTS_UNDER_FIRE = [
    ("en", "A hunting party came under Russian shelling near Kupiansk, killing two men.", "shelling"),
    ("fr", "Deux chasseurs ont été tués par une frappe de drone russe lors d'une battue près de Kherson.", "airstrike"),
    ("ru", "Двое мужчин погибли на охоте под Белгородом в результате атаки украинского дрона.", "airstrike"),
    ("ar", "قتل صياد في غارة إسرائيلية خلال رحلة صيد في جنوب لبنان.", "airstrike"),
]


@pytest.mark.parametrize("lang, text, category", HUNTS_UNDER_FIRE, ids=ids(HUNTS_UNDER_FIRE))
def test_a_hunt_under_fire_stays_an_event(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    assert category in c.categories and "casualties" in c.categories, why(c)


NON_CONFLICT_BESIDE_SHELLING = [
    ("en", ("Artillery shelling killed two soldiers near the border. Separately, floods killed five people "
            "in the south.")),
    ("ar", "قتل جنديان في قصف مدفعي على الحدود. وفي الجنوب، أسفرت السيول عن مقتل خمسة أشخاص."),
    ("ru", ("В результате артиллерийского обстрела погибли двое военных. На юге наводнение унесло жизни пяти "
            "человек.")),
    ("uk", ("Унаслідок артилерійського обстрілу загинули двоє військових. На півдні через повінь загинули "
            "п'ятеро людей.")),
    ("fr", ("Des bombardements ont tué deux soldats près de la frontière. Dans le sud, les inondations ont fait "
            "cinq morts.")),
    ("es", ("Un bombardeo de artillería mató a dos soldados cerca de la frontera. En el sur, las inundaciones "
            "causaron cinco muertos.")),
]


@pytest.mark.parametrize("lang, text", NON_CONFLICT_BESIDE_SHELLING, ids=ids(NON_CONFLICT_BESIDE_SHELLING))
def test_cause_outside_armed_conflict_beside_shelling(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "shelling" in c.categories and c.casualties.killed == 2, why(c)


# An industrial accident's later sentences name its explosion without its cause ("The explosion
# occurred in the casting hall"): in an article that names a cause outside armed conflict and no armed
# violence, an explosion that names no weapon (``categories.explosion.generic``) is not escalation.
EXPLOSION_AFTER_ITS_CAUSE = [
    ("en", ("Two workers were hurt when a furnace exploded at a steel plant on Thursday. The explosion occurred "
           "in the casting hall, police said.")),
    ("ar", "أصيب عاملان في انفجار غاز بمصنع للحديد يوم الخميس. ووقع الانفجار في قاعة الصهر، وفق الشرطة."),
    ("ru", ("Двое рабочих пострадали при взрыве газа на заводе в четверг. Взрыв произошел в литейном цехе, "
           "сообщила полиция.")),
    ("uk", ("Двоє робітників постраждали внаслідок вибуху газу на заводі в четвер. Вибух стався в ливарному "
           "цеху, повідомила поліція.")),
    ("fr", ("Deux ouvriers ont été blessés dans une explosion de gaz dans une usine jeudi. L'explosion s'est "
           "produite dans l'atelier de fonderie, selon la police.")),
    ("es", ("Dos trabajadores resultaron heridos por una explosión de gas en una fábrica el jueves. La explosión "
           "se produjo en la nave de fundición, según la policía.")),
]


@pytest.mark.parametrize("lang, text", EXPLOSION_AFTER_ITS_CAUSE, ids=ids(EXPLOSION_AFTER_ITS_CAUSE))
def test_an_explosion_naming_no_weapon_after_its_cause_is_not_escalation(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.is_escalation, why(c)


# A weapon keeps its explosion and its dead, whatever else the article is about.
WEAPON_BESIDE_A_CAUSE = [
    ("en", ("A roadside bomb exploded near an army convoy, killing three soldiers. Separately, floods hit the "
           "south.")),
    ("ar", "انفجرت عبوة ناسفة قرب دورية للجيش ما أدى إلى مقتل ثلاثة جنود. وفي الجنوب، ضربت السيول عدة قرى."),
    ("ru", "Смертник подорвал себя у блокпоста, погибли три военных. На юге наводнение затопило несколько сел."),
    ("uk", ("Смертник підірвав себе біля блокпоста, загинули троє військових. На півдні повінь затопила кілька "
           "сіл.")),
    ("fr", ("Une voiture piégée a explosé près d'un convoi militaire, tuant trois soldats. Dans le sud, des "
           "inondations ont frappé plusieurs villages.")),
    ("es", ("Un coche bomba estalló junto a un convoy militar y mató a tres soldados. En el sur, las inundaciones "
           "afectaron a varios pueblos.")),
]


@pytest.mark.parametrize("lang, text", WEAPON_BESIDE_A_CAUSE, ids=ids(WEAPON_BESIDE_A_CAUSE))
def test_a_weapon_keeps_its_explosion_beside_a_cause_outside_armed_conflict(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "explosion" in c.categories and c.casualties.killed == 3, why(c)

# Words that only look like a negation, hypothetical or page-chrome cue govern nothing: «планирующие
# авиабомбы» are glide bombs, not plans; «هدوء حذر» an uneasy calm, not a warning; «nièce» no
# «nié»; «بمشاركة» "with the participation of", no share button.
CUE_LOOK_ALIKES = [
    ("en", "Soldiers fired warning shots and then killed two gunmen.", "armed_clash"),
    ("en", "The missile missed its intended target and hit a school, killing eight children.", "casualties"),
    ("en", "Hamas comments on Israeli strike that killed 20 in Rafah", "airstrike"),
    ("ar", "ساد هدوء حذر المنطقة بعد اشتباكات عنيفة أسفرت عن مقتل ثلاثة جنود.", "armed_clash"),
    ("ar", "مقتل 5 جنود في هجوم بمشاركة طائرات مسيرة", "airstrike"),
    ("ru", "Россия нанесла удар управляемыми планирующими авиабомбами по Харькову, погибли три человека.",
     "airstrike"),
    ("uk", "Ракета влучила в навчальний заклад, загинули двоє людей.", "casualties"),
    ("fr", "Sa nièce a été tuée dans la frappe israélienne.", "casualties"),
    ("fr", "Après l'explosion, la police judiciaire a ouvert une enquête.", "explosion"),
    ("fr", "Les redoutables drones Shahed ont frappé Kiev, tuant trois personnes.", "airstrike"),
    ("es", "La ciudad fue escenario de enfrentamientos armados que dejaron 10 muertos.", "armed_clash"),
    ("es", "Un ataque con bombas planeadoras mató a 2 civiles en Vovchansk, dijo el gobernador.", "casualties"),
]


@pytest.mark.parametrize("lang, text, category", CUE_LOOK_ALIKES, ids=ids(CUE_LOOK_ALIKES))
def test_a_word_that_only_looks_like_a_cue_governs_nothing(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    assert category in c.categories, why(c)

# A hypothetical cue's reach ends where a clause about what has happened opens (``hypothetical_ends``):
# a threat of retaliation *after* a deadly strike, or for "the strike that killed", reports the dead.
THREAT_AFTER_WHAT_HAPPENED = [
    ("en", "Israel vowed to respond after the strike that killed five soldiers.", 5),
    ("en", "Militants threatened to kill five hostages after the deadline passed.", None),
    ("ar", "توعدت إسرائيل بالرد بعد الغارة التي أسفرت عن مقتل خمسة جنود.", 5),
    ("ru", "Россия пригрозила ответом после удара, в результате которого погибли пять военных.", 5),
    ("uk", "Росія пригрозила відповіддю після удару, внаслідок якого загинули п'ятеро військових.", 5),
    ("fr", "Israël promet de réagir après la frappe qui a tué cinq soldats.", 5),
    ("es", "Israel amenazó con responder tras el ataque aéreo que mató a cinco soldados.", 5),
    # a past relative clause about the strike ends the cue's reach too
    ("en", "Hamas vowed to avenge the strike that killed five fighters.", 5),
    ("ar", "توعدت حماس بالانتقام للغارة التي أسفرت عن مقتل خمسة مقاتلين.", 5),
    ("ru", "Россия пригрозила ответом на удар, унесший жизни пяти военных.", 5),
    ("uk", "Росія пригрозила відповіддю на удар, який забрав життя п'ятьох військових.", 5),
    ("fr", "Le Hamas promet de venger la frappe qui a tué cinq combattants.", 5),
    ("en", "Russia warned that strikes could kill five people a day.", None),
]


@pytest.mark.parametrize("lang, text, killed", THREAT_AFTER_WHAT_HAPPENED, ids=ids(THREAT_AFTER_WHAT_HAPPENED))
def test_a_threat_after_what_happened_keeps_its_dead(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)

# A sentence that names armed violence itself says what killed: a word for a cause outside armed
# conflict beside it is the strike's doing or a name (a building collapsing under an airstrike, the
# «Смерч» rocket launcher, "Storm Shadow" missiles, Operation «عاصفة الحزم», a protest *against* a
# bombing) and takes nothing away. A negated strike does not count.
CAUSE_WORD_BESIDE_ARMED_VIOLENCE = [
    ("en", "Ukraine fired Storm Shadow missiles at Russian positions, killing 15 soldiers.", 15),
    ("en", ("Rescue workers searched the rubble after the airstrike caused a building collapse that killed 12 "
           "people."), 12),
    ("en", "No shelling was reported in the area, but floods killed five people.", None),
    ("en", "A grenade was hurled at soldiers during the protest, killing three.", 3),
    ("ar", "شنت طائرات عاصفة الحزم غارات على صنعاء أسفرت عن مقتل 12 مدنيا.", 12),
    ("ru", "Армия обстреляла город из РСЗО «Смерч», погибли восемь человек.", 8),
    ("uk", "Армія обстріляла місто з РСЗО «Ураган», загинули двоє людей.", 2),
    ("fr", "Une frappe de drone a provoqué l'effondrement d'un immeuble, faisant huit morts.", 8),
    ("es", "Miles de personas protestaron contra el bombardeo que mató a 20 personas.", 20),
]


@pytest.mark.parametrize("lang, text, killed", CAUSE_WORD_BESIDE_ARMED_VIOLENCE,
                         ids=ids(CAUSE_WORD_BESIDE_ARMED_VIOLENCE))
def test_a_cause_word_beside_armed_violence_takes_nothing_away(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)

# Words that folding makes one with a rule's word (accents, ى/ي): «frappés» is `frappes`, «né» `ne`, «sí»
# `si`, «asesino» `asesinó`, «الغامدي» `ألغام*`, «كبرى» ك + `بري`, «أثنى» `اثني` (12); Ukrainian «їм.» folds
# to the abbreviation «ім.» and Russian «им.» is one. Terms with ``+`` keep their accents (see
# streamproc/data/README.md). Each row: the categories with their subtypes, and the killed count.
FOLDED_LOOK_ALIKES = [
    ("fr", "Un nouveau-né a été tué dans une frappe israélienne sur Rafah.",
     {"airstrike": None, "casualties": None}, 1),
    ("fr", "Les ménages frappés par l'inflation réclament des aides.", {}, None),
    ("fr", "L'ONU appelle les deux camps à respecter le cessez-le-feu.", {"ceasefire": "call"}, None),
    ("fr", "L'ONU exhorte les deux camps à signer un accord de trêve.", {"ceasefire": "call"}, None),
    ("fr", "Le Hamas accuse Israël de vouloir briser la trêve.", {"ceasefire": None}, None),
    ("fr", "Le redouté chef de guerre a été tué lundi avec cinq de ses combattants.", {"casualties": None}, 5),
    ("es", "Las milicias se enfrentaron entre sí y mataron a 12 personas en Culiacán.", {"casualties": None}, 12),
    ("es", "Biden calificó a Putin de asesino.", {}, None),
    ("es", "Tres civiles murieron en el edificio nº 12 bombardeado anoche.",
     {"shelling": None, "casualties": None}, 3),
    ("ar", "قال المتحدث أحمد الغامدي إن الاجتماع انتهى.", {}, None),
    ("ar", "أطلقت الشرطة عملية كبرى لمكافحة تهريب المخدرات.", {}, None),
    ("ar", "أثنى الرئيس على الجنود الذين قتلوا في الهجوم.", {"casualties": None}, None),
    ("uk", "Окупанти погрожують їм. Вранці ракетний удар вбив п'ятьох людей у Херсоні.",
     {"shelling": None, "casualties": None}, 5),
    ("ru", "Оккупанты угрожают им. Утром ракетный удар убил пятерых человек в Херсоне.",
     {"shelling": None, "casualties": None}, 5),
    # the words themselves, accents and capitals as written
    ("fr", "Des frappes israéliennes ont tué 12 personnes. DES FRAPPES RUSSES ONT VISÉ KHARKIV.",
     {"airstrike": None, "casualties": None}, 12),
    ("fr", "Le cessez-le-feu signé mardi est respecté, a annoncé l'ONU.", {"ceasefire": "agreement"}, None),
    ("fr", "Il ne s'agit pas d'une frappe, aucun mort n'a été signalé.", {}, None),
    ("es", "Si el ataque se produce, podría matar a cientos.", {}, None),
    ("es", "El sicario asesinó a tres personas en Culiacán.", {"casualties": None}, 3),
    ("ar", "قتل 3 جنود في انفجار ألغام زرعها مسلحون.", {"explosion": None, "casualties": None}, 3),
    ("ar", "بدأ الجيش عملية برية في جنوب لبنان.", {"armed_clash": None}, None),
    ("ar", "شن الجيش هجوما بريا واسعا على المدينة.", {"armed_clash": None}, None),
    ("ar", "قتل اثني عشر جنديا في هجوم على حاجز.", {"armed_clash": None, "casualties": None}, 12),
]


@pytest.mark.parametrize("lang, text, categories, killed", FOLDED_LOOK_ALIKES, ids=ids(FOLDED_LOOK_ALIKES))
def test_words_that_fold_into_a_rules_word(pipeline, lang, text, categories, killed):
    c = classify(pipeline, lang, text)
    assert {k: v.subtype for k, v in c.categories.items()} == categories, why(c)
    assert c.casualties.killed == killed, why(c)


# Words that only begin like a cause outside armed conflict: a stem such as ``protest*`` or ``storm*``
# would take "Protestant" or "stormed" for a protest or a storm and drop the dead of a real attack.
NON_CONFLICT_LOOK_ALIKES = [
    ("en", "Gunmen stormed a police station in the north, killing 12 officers.", 12),
    ("en", "Two people were killed in a gun attack by a Protestant paramilitary group on a bar.", 2),
    ("en", "A fresh outbreak of fighting in the east killed 12 soldiers.", 12),
    ("ar", "قتل ثلاثة محتجزين في قصف على السجن.", 3),
    ("ru", "Боевики обстреляли протестантскую церковь, погибли три человека.", 3),
    ("uk", "Бойовики обстріляли протестантську церкву, загинули троє людей.", 3),
    ("fr", "Une attaque cruelle contre le village a tué 12 civils.", 12),
    ("es", "Dos personas murieron en un ataque a balazos de un grupo paramilitar protestante.", 2),
    # found in a review of every suppressing list, each verified against the rules before the fix
    ("uk", "Триває аварійно-рятувальна операція, загинули п'ятеро людей.", 5),
    ("ru", "На месте удара ведутся аварийно-спасательные работы, погибли пять человек.", 5),
    ("uk", "Під час розмінування загинули двоє піротехніків ДСНС.", 2),
    ("en", "Since Hamas launched Operation Al-Aqsa Flood, 1,200 people have been killed in Israel.", 1200),
    ("en", "The army said it accidentally killed three hostages in Gaza.", 3),
    ("fr", "L'armée a reconnu avoir tué accidentellement trois otages à Gaza.", 3),
    ("en", "The attack, which killed 12 soldiers, threatens to derail peace talks.", 12),
    ("es", "El presidente aludió al ataque que mató a 20 personas.", 20),
    ("ar", "قالت سيول إن مئة جندي كوري شمالي قتلوا في كورسك.", 100),
    ("ar", "القوات التي تدافع عن المدينة تكبدت خسائر فادحة ومقتل 20 جنديا.", 20),
]


@pytest.mark.parametrize("lang, text, killed", NON_CONFLICT_LOOK_ALIKES, ids=ids(NON_CONFLICT_LOOK_ALIKES))
def test_a_word_that_only_begins_like_a_non_conflict_cause_suppresses_nothing(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)

# --- general armed-clash phrasing: territory, repelled attacks, offensives, enemy losses ------------

ARMED_CLASH = [
    ("en", "The army killed 12 militants in an operation near the border."),
    ("en", "Rebels seized control of the town after a two-day assault."),
    ("ar", "سيطرت القوات على قرية الشيخ مسكين بعد معارك."),
    ("ar", "سيطرت قوات الدعم السريع على مدينة ود مدني."),
    ("ar", "أعلن الجيش استعادة السيطرة على بلدة في ريف حماة."),
    ("ar", "استعادت قوات الحكومة بلدة كفرنبودة."),
    ("ar", "تمكن الجيش من تحرير قرية جديدة في ريف حماة."),
    ("ar", "حررت القوات العراقية مدينة الموصل من تنظيم داعش."),
    ("ar", "تصدت القوات لهجوم شنه مسلحون على نقطة عسكرية."),
    ("ar", "صدت وحدات الجيش محاولة تقدم للإرهابيين."),
    ("ar", "قتل الجيش ثلاثة مسلحين في عملية أمنية قرب الحدود."),
    ("ar", "تم القضاء على عدد من الإرهابيين في ريف دير الزور."),
    ("ar", "كبدت القوات العدو خسائر فادحة في العتاد والأرواح."),
    ("ar", "أحكم الجيش قبضته على مدينة الفاشر."),
    ("ru", "Российские войска освободили населенный пункт Новомихайловка."),
    ("ru", "Подразделения взяли под контроль село Урожайное."),
    ("ru", "Населенный пункт Урожайное взят под полный контроль."),
    ("ru", "ВСУ восстановили контроль над поселком Пятихатки."),
    ("ru", "Военные отразили атаку противника в районе Часова Яра."),
    ("ru", "Российские военнослужащие отразили пять контратак штурмовых групп."),
    ("ru", "ВСУ начали контрнаступление на запорожском направлении."),
    ("ru", "Российские военные начали масштабное наступление на Купянском направлении."),
    ("ru", "Армия уничтожила более 20 боевиков в ходе операции."),
    ("ru", "Подразделения нанесли противнику значительные потери в живой силе."),
    ("ru", "Израиль расширил наземную операцию в секторе Газа."),
    ("ru", "Армия выбила боевиков из промзоны."),
    ("uk", "Сили оборони звільнили населений пункт Роботине."),
    ("uk", "Українські військові взяли під контроль село Кліщіївка."),
    ("uk", "ЗСУ відновили контроль над селом Андріївка."),
    ("uk", "Окупанти захопили селище Новомихайлівка."),
    ("uk", "Захисники відбили атаку ворога поблизу Авдіївки."),
    ("uk", "Оборонці відбили шість контратак ворога."),
    ("uk", "ЗСУ розпочали контрнаступ на півдні."),
    ("uk", "Сили оборони знищили понад 50 окупантів за добу."),
    ("uk", "Захисники завдали ворогу значних втрат."),
    ("uk", "Бійці вибили окупантів із лісосмуги."),
    ("fr", "L'armée malienne a repris le contrôle de la ville de Kidal."),
    ("fr", "Les jihadistes se sont emparés du camp militaire de Boulkessi."),
    ("fr", "L'armée a repris la localité de Léré."),
    ("fr", "L'armée ukrainienne a libéré le village de Robotyne."),
    ("fr", "La prise de la ville de Goma par le M23 a provoqué un exode."),
    ("fr", "Les soldats ont repoussé une nouvelle attaque des jihadistes."),
    ("fr", "L'armée a lancé une vaste offensive contre les rebelles."),
    ("fr", "L'armée a neutralisé une vingtaine de terroristes."),
    ("fr", "Les troupes ont infligé de lourdes pertes à l'ennemi."),
    ("fr", "Israël a élargi son opération terrestre à Gaza."),
    ("es", "Las tropas tomaron el control de la ciudad de Bajmut."),
    ("es", "Los rebeldes se hicieron con el control de la localidad de Rubaya."),
    ("es", "El ejército recuperó el control del aeropuerto."),
    ("es", "Las fuerzas rusas tomaron la estratégica localidad de Avdiivka."),
    ("es", "Las tropas ucranianas liberaron la ciudad de Jersón."),
    ("es", "Los soldados repelieron un ataque yihadista contra su base."),
    ("es", "El ejército lanzó una nueva ofensiva contra los rebeldes."),
    ("es", "El ejército mató a 20 terroristas en una operación en el norte."),
    ("es", "Fueron abatidos 15 terroristas durante la operación."),
    ("es", "Israel amplió su operación terrestre en Gaza."),
]


@pytest.mark.parametrize("lang, text", ARMED_CLASH, ids=ids(ARMED_CLASH))
def test_armed_clash_phrasing(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "armed_clash" in c.categories, why(c)


# Seizing drugs, taking control of a company or of a fire, a recovering economy, a town regaining its
# calm, panic gripping a village, a festival taking over a city: no armed clash, no escalation.
LOOK_ALIKES = [
    ("en", "Police seized drugs worth $2 million in the port."),
    ("es", "La empresa explota una mina de cobre en el norte de Chile."),
    ("en", "The investor took control of the company last year."),
    ("en", "The economy recovered strongly in the second quarter."),
    ("en", "Madrid won the cup in a penalty shoot-out after a goalless draw."),
    ("en", "Argentina beat France 4-2 in a penalty shootout."),
    ("ar", "ضبطت الشرطة كمية من المخدرات في الميناء."),
    ("ar", "سيطرت الحكومة على أسعار الخبز."),
    ("ar", "استعاد الاقتصاد عافيته في الربع الثاني."),
    ("ar", "استعادت المدينة هدوءها بعد العاصفة."),
    ("ar", "سيطر الخبر على مواقع التواصل الاجتماعي."),
    ("ar", "سيطرت أجواء حارة على معظم مناطق المملكة."),
    ("ar", "سيطرت حالة من الذعر على سكان البلدة."),
    ("ar", "تمت السيطرة على الحريق في منطقة صناعية."),
    ("ar", "كبدت الأزمة الشركات خسائر فادحة."),
    ("ar", "شن النائب هجوما واسعا على الحكومة."),
    ("ru", "Полиция изъяла крупную партию наркотиков."),
    ("ru", "Инвестор взял под контроль компанию."),
    ("ru", "Пожарные взяли под контроль возгорание на складе."),
    ("ru", "Спасатели взяли под контроль ситуацию в городе."),
    ("ru", "Экономика восстановилась во втором квартале."),
    ("ru", "Задержанный был освобожден в городе Самара."),
    ("ru", "Кризис нанес компании тяжелые потери."),
    ("ru", "Компания захватила лидирующие позиции на рынке."),
    ("ru", "С началом наступления холодов выросло потребление газа."),
    ("uk", "Поліція вилучила велику партію наркотиків."),
    ("uk", "Інвестор взяв під контроль компанію."),
    ("uk", "Економіка відновилася у другому кварталі."),
    ("uk", "Прем'єра звільнили з посади."),
    ("uk", "Полонених звільнили в місті Суми."),
    ("uk", "Криза завдала економіці значних втрат."),
    ("fr", "La police a saisi deux tonnes de drogue dans le port."),
    ("fr", "Le fonds a pris le contrôle de l'entreprise."),
    ("fr", "L'économie a repris des couleurs au deuxième trimestre."),
    ("fr", "Le président a pris position contre la réforme."),
    ("fr", "La peur s'est emparée du village après le meurtre."),
    ("fr", "Le festival s'empare de la ville tout le week-end."),
    ("fr", "Les cours ont repris en ville après les vacances."),
    ("fr", "L'équipe a repris ses quartiers à Clairefontaine."),
    ("fr", "Le chef s'est emparé du dossier."),
    ("fr", "Le ministre veut reprendre le contrôle des quartiers."),
    ("fr", "Le ministre a lancé une vaste offensive diplomatique."),
    ("es", "La policía incautó dos toneladas de droga en el puerto."),
    ("es", "El fondo tomó el control de la empresa."),
    ("es", "La economía se recuperó en el segundo trimestre."),
    ("es", "Los aficionados tomaron la ciudad antes de la final."),
    ("es", "La víctima fue liberada en Ciudad Juárez tras el pago del rescate."),
    ("es", "El plan busca recuperar la ciudad para los peatones."),
    ("es", "El partido sufrió bajas en sus filas tras la crisis."),
    ("es", "El gobernador prometió recuperar el control del territorio."),
    ("es", "Un ataque contra la base de datos del ministerio."),
]


@pytest.mark.parametrize("lang, text", LOOK_ALIKES, ids=ids(LOOK_ALIKES))
def test_look_alikes_are_not_escalation(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.is_escalation, why(c)


def test_every_language_is_covered_by_every_table():
    tables = {"categories": CATEGORIES, "ceasefires": CEASEFIRES, "warnings": WARNINGS,
              "no casualties": NO_CASUALTIES, "denials": DENIALS, "threats": THREATS, "counts": COUNTS,
              "armed clash": ARMED_CLASH, "look-alikes": LOOK_ALIKES, "non-conflict causes": NON_CONFLICT,
              "non-conflict beside shelling": NON_CONFLICT_BESIDE_SHELLING,
              "non-conflict look-alikes": NON_CONFLICT_LOOK_ALIKES, "cue look-alikes": CUE_LOOK_ALIKES,
              "threat after what happened": THREAT_AFTER_WHAT_HAPPENED,
              "cause word beside armed violence": CAUSE_WORD_BESIDE_ARMED_VIOLENCE,
              "explosion after its cause": EXPLOSION_AFTER_ITS_CAUSE, "weapon beside a cause": WEAPON_BESIDE_A_CAUSE,
              "counts across a comma": CLAUSE_COUNTS, "lower bound after the verb": LOWER_BOUND_AFTER_VERB, "ranges": RANGES,
              "groups": GROUPS, "framed": FRAMED, "framed events": FRAMED_EVENTS, "eras": ERAS,
              "quarrels": QUARRELS, "war truces": WAR_TRUCES, "figures of speech": FIGURES_OF_SPEECH,
              "events beside figures' words": EVENTS_BESIDE_FIGURES}
    for name, rows in tables.items():
        assert {row[0] for row in rows} == set(LANGS), name


def test_a_one_word_chrome_phrase_marks_its_line_only_at_the_start_or_the_end(pipeline):
    text = ("Comments\nArtillery shelling killed 3 soldiers in Donetsk.\n12 comments\n"
            "Hamas comments on Israeli strike that killed 20 in Rafah\nThis site uses cookies to work\n"
            "Related stories: Shelling kills 2 in Kharkiv")
    c = classify(pipeline, "en", text)
    assert c.chrome_lines == {0, 2, 4, 5}, why(c)


# An anniversary piece retells a war's dead; none of them is news. Past cues ("years ago", "the
# anniversary of", «лет назад», «ذكرى») govern their clause, and a year at least two before the article's
# publication does too; "since 2014" dates nothing, and a "years ago" in mid-sentence dates only what
# stands before it in its clause. Rows: language, publication year (None: not given), text, the
# categories that count, killed.
PAST_EVENTS = [
    ("en", None, "Thirty years ago, Bosnian Serb forces killed 8,000 men and boys.", set(), None),
    ("en", None, "8,000 men were killed 30 years ago.", set(), None),
    ("en", None, "Serb forces killed 8,000 men 30 years ago.", set(), None),  # "8,000": no clause break
    ("en", None, "The shelling killed more than 20 years ago is still remembered in the town.", {"shelling"}, None),
    ("en", None, "Thirty years ago, 8,000 men were killed in Srebrenica.", set(), None),
    ("es", None, "Las tropas mataron a 8.000 hombres hace treinta años.", set(), None),
    ("en", None, "A decade ago, the Minsk ceasefire was signed.", set(), None),
    ("en", 2025, "In 1995, civilians were killed in Srebrenica.", set(), None),
    ("en", 2025, "Since 2014 civilians have been killed in the shelling of Donetsk.", {"shelling", "casualties"}, None),
    ("en", 2026, "Strike kills four despite 2024 truce", {"casualties", "ceasefire"}, 4),
    ("en", None, "Azerbaijan shelled Armenian positions, the first violation in three years since the ceasefire.",
     {"shelling", "ceasefire"}, None),
    ("en", 2099, "In 2025 shelling killed five soldiers.", {"shelling", "casualties"}, 5),  # a default date
    # a birth or building year (`year_of`) and a count after a lower bound date nothing, among the first six
    # words too; mid-sentence no year dates anything: a review's probes found current victims and targets
    # dated there at every turn ("a pensioner born in 1948", "a school built in 1965", "the ceasefire of 1994")
    ("ru", 2025, "Женщина 1952 года рождения погибла в результате обстрела Херсона.", {"shelling", "casualties"},
     None),
    ("ru", 2025, "Пенсионер 1948 г.р. погиб при ударе дрона.", {"airstrike", "casualties"}, None),
    ("uk", 2025, "Чоловік 1960 року народження загинув внаслідок обстрілу Нікополя.", {"shelling", "casualties"},
     None),
    ("uk", 2025, "За тиждень окупанти понад 2000 разів обстріляли Запорізьку область, загинули троє людей.",
     {"shelling", "casualties"}, 3),
    ("ar", 2025, "مسن من مواليد 1938 استشهد في غارة إسرائيلية على دير البلح.", {"airstrike", "casualties"}, None),
    ("en", 2025, "Born in 1948, the pensioner was killed by a drone strike on Nikopol.", {"airstrike", "casualties"},
     None),
    ("en", 2025, "A pensioner born in 1948 was killed by shelling.", {"shelling", "casualties"}, None),
    ("en", 2025, "Militants violated the ceasefire of 1994 with mortar fire that killed two soldiers.",
     {"ceasefire", "shelling", "casualties"}, 2),
    ("ru", 2025, "Обстрелы вдоль границы 1921 года между двумя странами унесли жизни четырех военных.",
     {"shelling", "casualties"}, 4),
    # The windows' edges: two words may stand before an opening cue, not three; a year may be the sixth
    # word, not the seventh; a mid-sentence cue reaches three words back, not four.
    ("en", None, "Some thirty years ago the shelling killed 8,000.", set(), None),
    ("en", None, "Back then, thirty years ago the shelling killed 8,000.", {"shelling", "casualties"}, 8000),
    ("en", 2025, "On the night of July 1995 the shelling killed 8,000.", set(), None),
    ("en", 2025, "On the night of 11 July 1995 the shelling killed 8,000.", {"shelling", "casualties"}, 8000),
    ("en", None, "Three soldiers were killed right there 30 years ago.", set(), None),
    ("en", None, "Three soldiers were killed right over there 30 years ago.", {"casualties"}, 3),
    ("en", None, "Thousands marked the anniversary of the massacre in Srebrenica.", set(), None),
    ("en", None, "Friday marks 30 years since the massacre of 8,000 men.", set(), None),
    ("en", None, "The truce agreed two years ago collapsed as shelling killed five soldiers.",
     {"shelling", "casualties"}, 5),
    ("en", None, "Russian shelling killed three civilians in Kherson, which Ukraine retook two years ago.",
     {"shelling", "casualties"}, 3),
    ("en", None, "On the anniversary of the massacre, shelling killed three people in the town.",
     {"shelling", "casualties"}, 3),
    ("en", 2025, "In July 1995, Bosnian Serb forces overran the enclave and killed more than 8,000 men.", set(), None),
    ("en", None, "In July 1995, Bosnian Serb forces overran the enclave and killed more than 8,000 men.",
     {"armed_clash", "casualties"}, 8000),
    ("en", 1996, "In July 1995, Bosnian Serb forces overran the enclave and killed more than 8,000 men.",
     {"armed_clash", "casualties"}, 8000),
    ("en", 2024, "The deadliest shelling since 2014 killed five soldiers near Avdiivka.", {"shelling", "casualties"}, 5),
    ("en", 2025, "Shelling killed 5 in the 1995-built school on Tuesday.", {"shelling", "casualties"}, 5),
    ("en", 2020, "Shelling killed three soldiers, the worst clashes since the 2016 war.",
     {"shelling", "casualties"}, 3),
    ("ar", None, "قبل ثلاثين عاما، قتلت القوات الصربية ثمانية آلاف رجل في سربرنيتسا.", set(), None),
    ("ar", None, "أحيا الآلاف الذكرى الثلاثين لمجزرة سربرنيتسا.", set(), None),
    ("ar", 2025, "في عام 1995 قتلت القوات الصربية أكثر من ثمانية آلاف رجل.", set(), None),
    ("ar", 2024, "قتل خمسة جنود في أعنف قصف منذ عام 2014.", {"shelling", "casualties"}, 5),
    ("ar", 2025, "في عام ١٩٩٥ قتلت القوات الصربية أكثر من ثمانية آلاف رجل.", set(), None),  # Arabic-Indic digits
    ("ru", None, "Тридцать лет назад боснийские сербы убили восемь тысяч мужчин.", set(), None),
    ("ru", 2025, "В 1995 году боснийские сербы убили восемь тысяч мужчин.", set(), None),
    ("ru", 2025, "В 1995-м году боснийские сербы убили восемь тысяч мужчин.", set(), None),
    ("ru", 2024, "Обстрел унес жизни пяти военных, самый сильный с 2014 года.", {"shelling", "casualties"}, 5),
    ("uk", None, "Тридцять років тому боснійські серби вбили вісім тисяч чоловіків.", set(), None),
    ("uk", 2025, "У 1995 році боснійські серби вбили вісім тисяч чоловіків.", set(), None),
    ("uk", 2025, "У 2014-му році бойовики обстріляли місто і вбили сотні людей.", set(), None),
    ("fr", None, "Il y a trente ans, les forces serbes de Bosnie ont tué 8 000 hommes.", set(), None),
    ("fr", None, "Des milliers de personnes ont marqué l'anniversaire du massacre de Srebrenica.", set(), None),
    ("fr", None, "Un bombardement a tué trois civils à Kherson, reprise il y a deux ans.",
     {"shelling", "casualties"}, 3),
    ("fr", 2024, "Le bombardement le plus meurtrier depuis 2014 a tué cinq soldats.", {"shelling", "casualties"}, 5),
    ("es", None, "Hace treinta años, las fuerzas serbobosnias mataron a 8.000 hombres.", set(), None),
    ("es", None, "Miles de personas marcaron el aniversario de la masacre de Srebrenica.", set(), None),
    ("es", None, "Un bombardeo mató a tres civiles en Jersón, recuperada hace dos años.", {"shelling", "casualties"}, 3),
    ("es", 2024, "El bombardeo más mortífero desde julio de 2014 mató a cinco soldados.",
     {"shelling", "casualties"}, 5),
    # Today's news that mentions the past keeps everything: a year inside the sentence names a war or
    # a truce, a clock time or a count; "a year ago" far into a clause; mourning for this week's dead.
    ("en", 2025, "Russian shelling has killed 3,000 people since the invasion in 2022, the governor said.",
     {"shelling", "casualties"}, None),  # a running total: kept apart (running_killed)
    ("en", 2026, "Israeli strike kills four in south Lebanon despite 2024 truce",
     {"airstrike", "casualties", "ceasefire"}, 4),
    ("en", 2025, "Azerbaijan accused Armenia of violating the 2020 ceasefire as shelling killed two soldiers.",
     {"ceasefire", "shelling", "casualties"}, 2),
    ("en", 2025, "Two people were killed when a missile struck a building in Kyiv at 2015 GMT.",
     {"shelling", "casualties"}, 2),
    ("en", 2025, "Russian shelling on Tuesday killed two residents of a village liberated a year ago.",
     {"shelling", "casualties"}, 2),
    ("en", 2025, "Odesa mourned on Tuesday in memory of the eight people killed in Monday's missile strike.",
     {"shelling", "casualties"}, 8),
    ("ar", 2025, "ارتفع عدد القتلى إلى 2015 شخصا.", {"casualties"}, 2015),
    ("ar", 2025, "قتل شخصان في قصف روسي على خيرسون المحررة قبل ثلاثة أعوام.", {"shelling", "casualties"}, 2),
    ("ru", 2025, "Это самый массированный ракетный удар по Киеву с начала вторжения в 2022 году.", {"shelling"}, None),
    ("uk", 2025, "Це наймасованіший ракетний удар по Києву з початку вторгнення у 2022 році.", {"shelling"}, None),
    ("fr", 2026, "Liban: une frappe israélienne tue quatre personnes malgré la trêve de 2024",
     {"airstrike", "casualties", "ceasefire"}, 4),
    ("es", 2025, "Los bombardeos rusos contra Járkov se repiten desde hace tres años.", {"shelling"}, None),
    # A year with its era suffix glued on (`year_suffixes`), or an abbreviation's full stop after it
    ("ar", 2025, "في عام 1995م قتل 8000 شخص في المجزرة.", set(), None),
    ("ar", 2025, "في عام 2025م قتل 8 أشخاص في القصف.", {"shelling", "casualties"}, 8),
    ("ru", 2025, "В 1995г. в результате обстрела погибли 20 человек.", set(), None),
    ("ru", 2025, "В 1995 г. в результате обстрела погибли 20 человек.", set(), None),
    ("uk", 2025, "У 2014р. внаслідок обстрілу загинули 20 людей.", set(), None),
]


@pytest.mark.parametrize("lang, year, text, categories, killed", PAST_EVENTS,
                         ids=[f"{r[0]}:{r[1]}:{r[2][:40]}" for r in PAST_EVENTS])
def test_a_past_event_is_no_escalation(pipeline, lang, year, text, categories, killed):
    published = f"{year}-06-01T00:00:00Z" if year else None
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at=published), lang)
    assert set(c.categories) == categories, why(c)
    assert c.casualties.killed == killed, why(c)


def test_an_anniversary_article_raises_nothing(pipeline):
    text = ("Bosnia marks 30 years since Srebrenica massacre\n\n"
            "Thousands gathered on Friday in Srebrenica to mark the anniversary of the massacre. Thirty years "
            "ago, Bosnian Serb forces killed more than 8,000 Muslim men and boys after overrunning the town. "
            "In July 1995, the enclave had been shelled for days.")
    article = Article(id="t", text=text, language="en", published_at="2025-07-11T09:00:00Z")
    c, _, _ = pipeline.analyse(article, "en")
    assert not c.categories and c.casualties.killed is None, why(c)
    raw = orjson.dumps({"id": "t", "text": text, "language": "en", "published_at": article.published_at})
    assert pipeline.process(raw).kind == "no_alert"  # the worker's path reads the date from the message


def _fixture_rows(name: str) -> list[list[str]]:
    """The rows of a probe table in tests/fixtures (tab-separated, header skipped)."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t") for line in lines if line.strip()]


def _probes() -> list[list[str]]:
    return _fixture_rows("past_probes.tsv")


#: Retellings of old wars in tests/fixtures/past_probes.tsv that the past cues recognise (of 47):
#: a floor, so that a change which loses some shows up. Raise it when the rules catch more.
PAST_PROBES_RECOGNISED = 22


def test_probe_sentences_keep_todays_news_and_drop_old_wars(pipeline):
    """114 probe sentences written for the past cues, in six languages: every current event that
    mentions the past (a war's year, a truce's, "since 2014", a clock time, mourning) keeps its events;
    enough retellings of old wars raise nothing."""
    armed = {"shelling", "airstrike", "armed_clash", "explosion", "casualties"}
    lost, recognised = [], 0
    for probe_id, kind, lang, year, text in _probes():
        article = Article(id=probe_id, text=text, language=lang, published_at=f"{year}-06-01T00:00:00Z")
        c, _, _ = pipeline.analyse(article, lang)
        counts = bool(armed & set(c.categories))
        if kind == "current" and not counts:
            lost.append((probe_id, why(c)))
        recognised += kind == "past" and not counts
    assert not lost, lost
    assert recognised >= PAST_PROBES_RECOGNISED


def _count_probes() -> list[list[str]]:
    return _fixture_rows("count_probes.tsv")


#: Of the 303 sentences in tests/fixtures/count_probes.tsv, how many get exactly the killed and injured
#: counts an ACLED-style coder would record: a floor, so that a change which loses some shows up.
#: English, French, Spanish and Ukrainian (132): 87 of the 125 ordinary ones were right when a helper
#: session wrote them (2026-11-27), all 125 after the fixes, `casualties.one` and a toll up to ten words
#: from its verb; still wrong: the three tolls of 1.5 million, which would need a million-plus count.
#: Arabic and Russian (110, a second helper the same night, after those fixes): 98 right, then all 110.
#: English, Spanish and Arabic (61 rows with ids ``enc``/``esc``/``arc``, from a third helper's category
#: audit, 2026-11-27 night): 49 right, 57 after its data fixes, 58 once a measure between a term and a
#: singular people word takes no room ("shot dead a 34-year-old man"); still wrong: «امرأة وطفلها»
#: (two people, coordinated singulars),
#: "publicly executed four men" (also court executions), and «…, que dejaron 193 muertos» in an
#: anniversary (the past cue does not reach across the comma).
COUNT_PROBES_RIGHT = 297


def reported(c) -> tuple[int | None, int | None]:
    """The counts a text gives, the event's or, where it gives only that, a running total's: what the
    count probes score (they test reading numbers, not whose toll they are)."""
    cas = c.casualties
    return (cas.killed if cas.killed is not None else cas.running_killed,
            cas.injured if cas.injured is not None else cas.running_injured)


def test_count_probe_sentences_in_six_languages(pipeline):
    """303 wire-style sentences: counts of every form, and numbers that are no count (ages, dates,
    clock times, road numbers, percentages) beside casualty terms."""
    wrong = []
    for probe_id, lang, killed, injured, text in _count_probes():
        c = classify(pipeline, lang, text)
        expected = (int(killed) if killed else None, int(injured) if injured else None)
        if reported(c) != expected:
            wrong.append((probe_id, expected, reported(c)))
    assert len(_count_probes()) - len(wrong) >= COUNT_PROBES_RIGHT, wrong


# A singular word for a person is one killed or injured when it stands right by the term and the
# sentence gives no count of that kind (`casualties.one`).
ONE_PERSON = [
    ("en", "A Ukrainian soldier was killed and two others were wounded in shelling.", 1, 2),
    ("en", "Israeli forces killed a Palestinian man in Jenin.", 1, None),
    ("en", "A drone killed a 10-year-old boy and wounded two others in Kherson.", 1, 2),  # a measure takes no room
    ("ar", "مقتل جندي إسرائيلي في غزة.", 1, None),
    ("ar", "استشهاد شاب برصاص الاحتلال.", 1, None),
    ("ru", "При обстреле погиб мирный житель.", 1, None),
    ("uk", "Внаслідок обстрілу загинув військовий, ще двоє поранені.", 1, 2),
    ("uk", "Внаслідок удару дрона загинула 72-річна жінка.", 1, None),
    # not: a modifier, a count already given, a word too far, an adjective beside the term
    ("en", "Fighter jets killed people in the village.", None, None),
    ("en", "They were killed in a civilian convoy.", None, None),
    ("en", "Five people were killed, a police officer said.", 5, None),
    ("en", "A police officer said the attack killed people.", None, None),
    ("ar", "قال الدفاع المدني إن القصف أدى إلى مقتل أشخاص.", None, None),
    ("uk", "Загинули кілька чоловік.", None, None),
]


@pytest.mark.parametrize("lang, text, killed, injured", ONE_PERSON, ids=ids(ONE_PERSON))
def test_a_singular_word_for_a_person_is_one(pipeline, lang, text, killed, injured):
    c = classify(pipeline, lang, text)
    assert (c.casualties.killed, c.casualties.injured) == (killed, injured), why(c)


def _category_probes() -> list[list[str]]:
    return _fixture_rows("category_probes.tsv")


def _categories_match(expected: str, got: set[str]) -> bool:
    """``expected``: comma-separated categories, a ceasefire's subtype after a colon (not compared
    here), "shelling|airstrike" for a missile strike the sentence does not say how it was launched
    (either or both)."""
    exact: set[str] = set()
    either: list[set[str]] = []
    for token in filter(None, expected.split(",")):
        options = {t.split(":")[0] for t in token.split("|")}
        (either.append(options) if len(options) > 1 else exact.update(options))
    rest = got - exact
    return exact <= got and all(rest & options for options in either) and rest <= set().union(*either)


#: Of the 247 sentences in tests/fixtures/category_probes.tsv, first 127 French, Russian and Ukrainian ones (77 events, 50
#: hard negatives: sport, drills, industrial accidents, business truces…), how many get exactly the expected
#: categories: a floor. A helper session wrote them (2026-11-27): 90 right then, 120 after its data fixes
#: (one left out: «відпрацювали» as a drill cue, since «ППО відпрацювала по цілях» is a real attack),
#: 124 with `ceasefire_not`; still wrong: French «bombardé» by aircraft also read as shelling, sport
#: «combats» five words from the sport word, and the drill «відпрацювали відбиття атаки».
#: Then 120 English, Spanish and Arabic ones (75 events, 45 hard negatives: film and game reviews, football,
#: plots, mine and chemical-plant blasts, labour truces…), by a third helper the same night: 91 right, 117
#: after its data fixes and :func:`~streamproc.classify.classifier._without_words_of_longer_terms`
#: (fr17 came right with them); still wrong: "publicly executed" (court executions too), a game review
#: whose cue stands 12 words before the term, and an anniversary whose toll follows a comma.
CATEGORY_PROBES_RIGHT = 242


def test_category_probe_sentences_in_six_languages(pipeline):
    wrong = []
    for probe_id, lang, _kind, expected, text in _category_probes():
        got = set(classify(pipeline, lang, text).categories)
        if not _categories_match(expected, got):
            wrong.append((probe_id, expected, sorted(got)))
    assert len(_category_probes()) - len(wrong) >= CATEGORY_PROBES_RIGHT, wrong


#: tests/fixtures/natural_category_paragraphs*.tsv: paragraphs helper sessions wrote as newsrooms write
#: them, without reading the rules (2026-11-27): per language, events and hard negatives (football's
#: "bombardment of shots", a party's "truce", war films, novels and games, anniversaries, a demolition's
#: "controlled explosion", road crashes, a stock market's «انفجار»). The first set (144: 12 events and
#: 12 negatives per language) raised an alert on 18 of its 72 negatives when written and on 4 after the
#: data fixes it prompted (right 125 -> 139); the second (180: 10 events and 20 negatives per language),
#: written after those fixes and held out until then, on 30 of its 120 before them and 29 after (right
#: 150 -> 151): the fixes are phrases, and figurative, cultural and commemorative uses of war words
#: are the classifier's largest open gap. Every event in both sets but one raises an alert.
#: figurative_probes.tsv: a review's paragraphs against a rule, dropped, that took every war word of a
#: sentence holding a word of sport, screen, games, elections, markets or drills for a figure of speech:
#: it silenced 113 of 114 real attacks written with such words ("a missile hit the stadium during the
#: match", "a ceasefire ahead of the World Cup", "a strike on a film crew"); the words that only sport or
#: fiction use ("batters", "goalkeeper", "war film", "Call of Duty", "price war") became `hypothetical`
#: cues of the usual reach instead: 137 -> 146 right, no event lost.
#: natural_category_paragraphs_3.tsv: two more helpers' 180 (120 negatives), held out until `frames` was
#: written and first scored with it: 51 false alerts before it, 43 with its first version (occasions and
#: venues as frames too), no event lost; causes outside armed conflict it showed (robbery, household
#: gas, a light aircraft) then took 6 more. A review's probes (rev6) showed the first version silencing 54
#: of 73 real attacks reported after a museum, a match or an anniversary with neither a count nor a day;
#: narrowed to made works and displays, with a casualty word as an anchor, it loses none of them, and
#: leaves 41 false alerts here (137 right), set 2 at 157 (151 before), the figurative probes at 148.
#: natural_category_paragraphs_4.tsv: two more helpers' 180, written after every rule of that day and scored
#: once with them: 49 false alerts at the day's start, 47 at its end, every event alerting both times: the
#: day's rules are narrow, and the remaining false alerts are spread over a dozen kinds (old ordnance dug
#: up, police and hunting shootings, "an offensive against" a disease or fraud, party and sport truces,
#: memorials, culture, exercises, an "explosion" of prices).
#: A quarrel's truce (`truce_arenas`, `war_context`; 2026-11-27 afternoon): the sets' party, council, club and
#: rider truces, the largest single kind left, 12 of them: sets 1-4 right 139/158/138/133 -> 140/159/142/139.
#: truce_probes.tsv: a helper's 300 written against it, blind to the rules (25 war truces and 25 quarrels' per
#: language, the war truces often beside a parliament, a budget or a match and with few words of war): the
#: first lists kept 140 of 150 war truces and dropped 56 of 133 false alerts; lists widened from them (words
#: of war: weapons, "Russian forces"; an energy truce a plain term; more arenas) keep 146 and leave 27 (167 ->
#: 269 right). truce_natural.tsv: a second helper's 240, blind, typical rather than adversarial (20 war truces
#: and 20 figurative per language: reactions, markets, sport in a war zone; weather, markets, families), scored
#: once with those lists: 116 of 120 war truces kept, 107 -> 48 false alerts. Then markets left the arenas
#: (oil fell on a truce between Israel and Iran) and rubble, the displaced and Gaza's towns joined the words of
#: war (a children's tournament in Khan Younis during the truce): 120 kept, 52 false alerts; the first set 268.
#: frame_probes.tsv: that review's 170 (89 attacks after a frame, 81 cultural negatives): 100 right
#: before `frames`, 126 now (undated), no event lost.
#: year_probes.tsv (scored as published 2025-06-01): a review's 161 against a rule, dropped, that let a year
#: twenty or more years back date the event words of its clause anywhere in a sentence. It silenced all but
#: one of 39 retellings (a memorial's "soldiers killed in 1944") and 45 of 86 current events ("a pensioner
#: born in 1948", "a school built in 1965", "the ceasefire of 1994", «1956 года постройки»). What came of it
#: instead: a birth or building year (`year_of`), a count after a lower bound («более 2000 раз») and a year
#: after an event word of its sentence open nothing; 108 -> 110 events right, every one now.
#: Figures of speech (`figures_of_speech`; 2026-11-27 evening): "an offensive against fraud" in set 4 (139 ->
#: 140). figures_blind.tsv: a helper's 240 written blind to the rules (20 figures and 20 events with the same
#: words per language: "charm offensive", «bombardeo de críticas», «قصف إعلامي», "a barrage of rockets",
#: "an offensive against rebel positions"), scored once with the first lists: 21 -> 6 false alerts, the
#: same 5 events missed. The lists were then widened from it ("shelled out", "an offensive against
#: tuberculosis", «bombardés de courriels», «انفجار من البهجة») and its missed events gave their category
#: phrases ("a salvo of ballistic missiles", «atacaron con drones», «шквал ракет», «هجوما عسكريا على»):
#: 2 false alerts left ("killed the bill", a start-up "storming" a market), no event missed.
#: Then a robber shot by police and a hunt (`non_conflict`: "armed robber", «battue», «на охоте») in set 4:
#: 140 -> 142 (and a Russian «атаки украинского дрона» became an air strike, as drones attacking Odesa in
#: the toll probes did). Not «пограбували» (looted: soldiers loot too) nor "during a hunt" (for militants).
#: And more figures of speech from the sets' own false alerts (an offensive against dengue or a mosquito, a
#: boom of sales or demand, a bubble bursting, a rider "exploding" the group): sets 2-4 159/142/142 -> 160/145/147.
#: crime_blind.tsv: a helper's 120 written blind to the rules (per language 10 crimes and accidents with dead or
#: wounded: robbers, burglars, poachers, gangs, hunts; and 10 war events that hold such words: soldiers
#: looting, bandits attacking an army post, hunters hit by a drone): 34 false alerts of 60 before the robber
#: and hunt phrases, 25 with them (scored once), the same 5 events missed. Then crime's own words
#: (burglars, carjackers, poachers, a cash-in-transit van, a gang shooting, «règlement de comptes»,
#: «инкассатор», «تجار المخدرات») and its missed events' «убив», «убивши» (having killed): 9 false alerts,
#: 2 events missed (soldiers looting and shooting, no casualty word).
#: occasions_blind.tsv: a helper's 120 written blind to the rules (per language 10 commemorations,
#: exercises, films and games, old ordnance, and 10 war events reported with the same words: a strike on
#: a memorial ceremony, an attack on a base during drills). Scored once: 38 false alerts of 60, 1 event
#: missed. Simulated strikes as hypothetical («условный авиаудар», «يحاكي», "mock"), "air raid sirens" as
#: a figure, bomb disposal «de forma controlada», «تفجيرا محكوما» as negations, an old war's name one
#: adjective after its noun («قذيفة مدفعية تعود إلى الحرب العالمية الثانية»), and a hypothetical's reach
#: ending at a semicolon (the missed event): 33 false alerts, none missed. Left: commemorations that
#: count a past war's dead, war films, games and exhibitions that name their battles in the event's own
#: sentence, live-fire drills told with firing verbs.
CATEGORY_PARAGRAPHS_RIGHT = {"natural_category_paragraphs.tsv": (144, 140),
                            "natural_category_paragraphs_2.tsv": (180, 160),
                            "natural_category_paragraphs_3.tsv": (180, 145),
                            "natural_category_paragraphs_4.tsv": (180, 148),
                            "figurative_probes.tsv": (175, 149),
                            "frame_probes.tsv": (170, 126),
                            "year_probes.tsv": (161, 115, "2025-06-01"),
                            "truce_probes.tsv": (300, 268),
                            "truce_natural.tsv": (240, 188),
                            "figures_blind.tsv": (240, 238),
                            "crime_blind.tsv": (120, 109),
                            "occasions_blind.tsv": (120, 87)}


@pytest.mark.parametrize("name", sorted(CATEGORY_PARAGRAPHS_RIGHT))
def test_category_paragraph_sets(pipeline, name):
    size, floor, *published = CATEGORY_PARAGRAPHS_RIGHT[name]
    wrong = []
    rows = _fixture_rows(name)
    for probe_id, lang, escalation, _categories, text in rows:
        article = Article(id="t", text=text, language=lang, published_at=published[0] if published else None)
        got = set(pipeline.analyse(article, lang)[0].categories)
        if bool(got) != (escalation == "1"):
            wrong.append((probe_id, escalation, sorted(got)))
    assert len(rows) == size
    assert size - len(wrong) >= floor, wrong


@pytest.mark.parametrize("lang, text", [
    ("en", "Manchester City laid siege to the Arsenal goal, unleashing a bombardment of shots."),
    ("es", "El Real Madrid bombardeó la portería azulgrana durante todo el segundo tiempo."),
    ("uk", "У монобільшості заявили, що політичне перемир’я порушують ті, хто розхитує човен."),
    ("es", "PP y PSOE sellaron este martes una tregua para renovar el Consejo General del Poder Judicial."),
    ("fr", "L'explosion contrôlée des deux tours HLM n'a duré que quelques secondes."),
    ("uk", "Фільм показує перші тижні облоги міста, зокрема наслідки авіаудару по пологовому будинку."),
    ("es", "Tres personas murieron y otras dos resultaron heridas en un choque frontal entre dos turismos."),
    ("ru", "Масштабные танковые сражения снимались на полигоне, а за спецэффекты и взрывы отвечали пиротехники."),
    # words only sport and fiction use, as `hypothetical` cues
    ("en", "England's batters unleashed a brutal bombardment on the Australian attack at Edgbaston."),
    ("ru", "Хоккеисты ЦСКА устроили настоящую бомбардировку ворот соперника в третьем периоде."),
    ("en", "The latest Call of Duty lets players call in airstrikes on enemy positions."),
])
def test_figures_of_speech_films_and_road_crashes_raise_no_alert(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.categories, why(c)


# An article that says what it is about (a film, a novel, a game, an exhibition, an arms fair: `frames`) in
# a sentence before its first sentence of events raises nothing, unless a sentence of its events holds a
# casualty word or names the day of the report; a ceasefire always counts.
FRAMED = [
    ("en", ("Christopher Nolan's new film opened to rave reviews. Dive-bombers scream overhead amid practical "
           "explosions.")),
    ("en", "The latest video game sold five million copies. Players can call in airstrikes on enemy positions."),
    ("fr", ("Le nouveau film de guerre plonge le spectateur dans les tranchées de Verdun. Les scènes de bataille "
           "sont filmées au milieu des explosions.")),
    ("es", ("El Museo Reina Sofía inaugura una exposición sobre la Guerra Civil española. Destaca una recreación "
           "sonora de los bombardeos sobre Guernica.")),
    ("ru", "На экраны вышел фильм о Брестской крепости. Режиссер воссоздал штурм цитадели."),
    ("uk", "У прокат вийшов історичний фільм про Крути. Режисер відтворив штурм залізничної станції."),
    ("ar", "يعرض مهرجان القاهرة مسلسلا عن حرب أكتوبر. ويصور المسلسل القصف المدفعي على الضفة الشرقية."),
]


@pytest.mark.parametrize("lang, text", FRAMED, ids=ids(FRAMED))
def test_an_article_about_a_film_a_book_or_an_exhibition_raises_nothing(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.categories, why(c)
    assert any("opens on something other than an event" in s.reason for s in c.suppressed)


FRAMED_EVENTS = [
    # a casualty word
    ("en", ("The festival screened a war documentary. Hours later Russian missiles struck the city, killing "
           "five people."), "shelling"),
    ("ru", "В Москве открылась выставка. Позже беспилотник атаковал Белгород, есть погибшие.", "airstrike"),
    # the day of the report
    ("fr", ("Le festival de Cannes a ouvert avec un film de guerre. Mardi soir, des frappes aériennes ont visé "
           "Khartoum."), "airstrike"),
    # a frame in the event's own sentence may be its target
    ("uk", "Російська ракета влучила у виставковий центр у Харкові, де проходила виставка.", "shelling"),
    ("en", "A drone struck an exhibition hall in Kharkiv.", "airstrike"),
    # a sentence about people or an occasion around the work (`frames_not`) frames nothing
    ("es", ("El rodaje de una película sobre la guerra se interrumpió en Mykolaiv. Un misil ruso impactó contra "
           "un edificio cercano al set."), "shelling"),
    ("fr", ("Le festival du film d'Odessa a ouvert ses portes malgré la guerre. Quelques heures plus tard, des "
           "missiles russes ont frappé le port."), "shelling"),
    # occasions, venues and targets are no frames
    ("en", "The museum in Kharkiv had reopened in May. A Russian missile hit the building.", "shelling"),
    ("ru", "Начались совместные учения. Украинские беспилотники атаковали аэродром.", "airstrike"),
    # a ceasefire always counts
    ("ar", "عرض فيلم وثائقي عن الحرب في بيروت. ودعا الأمين العام إلى وقف إطلاق النار في غزة.", "ceasefire"),
]


@pytest.mark.parametrize("lang, text, category", FRAMED_EVENTS, ids=ids(FRAMED_EVENTS))
def test_a_framed_article_keeps_events_with_a_count_or_a_day(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    assert category in c.categories, why(c)


# `eras` date the noun right before them to an old war, that noun only.
ERAS = [
    ("ru", "Саперы обезвредили авиабомбу времен Великой Отечественной войны в Смоленске.", set()),
    ("uk", "Сапери знешкодили авіабомбу часів Другої світової війни у Львові.", set()),
    ("en", "Sappers defused an aerial bomb from World War II found on a building site in Hamburg.", set()),
    ("ru", "В результате обстрела поврежден мемориал времен Великой Отечественной войны в Горловке.", {"shelling"}),
    ("en", "Shelling damaged a memorial from World War II in the centre of Horlivka.", {"shelling"}),
    ("ru", "Это крупнейшая атака беспилотников со времен Второй мировой войны.", {"airstrike"}),
    ("fr", "Les démineurs ont neutralisé un obus de la Première Guerre mondiale découvert dans un champ.", set()),
    ("es", "Los Tedax desactivaron una bomba de la Guerra Civil española hallada en una obra.", set()),
    ("ar", "فكك خبراء المتفجرات قذيفة من الحرب العالمية الثانية عثر عليها عمال قرب العلمين.", set()),
]


def test_a_year_of_cue_is_never_itself_suppressed(pipeline):
    """`year_of` only qualifies a year: a negation near it suppresses no "year_of" term of its own."""
    c, _, _ = pipeline.analyse(Article(id="t", text="No pensioner born in 1948 was hurt, but shelling killed two.",
                                       language="en", published_at="2025-06-01"), "en")
    assert not [s for s in c.suppressed if s.role == "year_of"], why(c)


@pytest.mark.parametrize("lang, text, categories", ERAS, ids=ids(ERAS))
def test_an_era_dates_only_the_noun_before_it(pipeline, lang, text, categories):
    c = classify(pipeline, lang, text)
    assert set(c.categories) == categories, why(c)


# A truce of something else (`ceasefire_not`) is no ceasefire; a ceasefire beside such a word that does
# not qualify it still is.
TRUCES_OF_SOMETHING_ELSE = [
    ("en", "The US and China agreed to extend their tariff truce by 90 days.", set()),
    ("en", "Washington and Beijing reached a truce in the trade war on Friday.", set()),
    ("fr", "La trêve hivernale protège les locataires des expulsions jusqu'au 31 mars.", set()),
    ("es", "Estados Unidos y China pactaron una tregua arancelaria.", set()),
    ("ar", "اتفقت واشنطن وبكين على هدنة تجارية لمدة 90 يوما.", set()),
    ("ar", "ورفع رئيس المجلس الجلسة نصف ساعة لتهدئة الأجواء.", set()),  # calming the mood
    ("ru", "Крупнейшие торговые сети и поставщики заключили перемирие в ценовой войне.", set()),
    ("en", "The ceasefire allows trade to resume across the border.", {"ceasefire"}),
    ("en", "Russia and Ukraine agreed a Christmas truce.", {"ceasefire"}),
]


@pytest.mark.parametrize("lang, text, categories", TRUCES_OF_SOMETHING_ELSE, ids=ids(TRUCES_OF_SOMETHING_ELSE))
def test_a_truce_of_something_else_is_no_ceasefire(pipeline, lang, text, categories):
    c = classify(pipeline, lang, text)
    assert set(c.categories) == categories, why(c)


# A truce word ("truce", «trêve», «перемирие», «هدنة»: `categories.ceasefire.truces`) in an article that names
# a quarrel's arena (`truce_arenas`: a party, a council, a budget, a derby, riders) and no armed conflict (no
# other category, no `war_context` word) is a quarrel's truce.
QUARRELS = [
    ("en", ("Pogacar and Vingegaard called a truce on the final climb. The Slovenian riders' rival then attacked "
            "with 800 metres to go.")),
    ("fr", "La trêve n'a pas survécu à l'été au Parti socialiste, à trois mois du congrès."),
    ("es", "Los presidentes de los dos clubes firmaron una tregua antes del derbi del domingo."),
    ("ru", "Депутаты городской думы объявили перемирие и утвердили бюджет на 2025 год."),
    ("uk", "Депутати обласної ради оголосили перемир'я й ухвалили бюджет області."),
    ("ar", "أعلنت مجموعات ألتراس الناديين هدنة قبل ديربي الدار البيضاء يوم الأحد."),
]


@pytest.mark.parametrize("lang, text", QUARRELS, ids=ids(QUARRELS))
def test_a_truce_in_a_quarrels_arena_is_no_ceasefire(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.categories, why(c)
    assert any("quarrel's arena" in s.reason for s in c.suppressed), why(c)


# A war's truce stays a ceasefire: beside a word of war, or a plain ceasefire term, or with no arena at all,
# or beside another category.
WAR_TRUCES = [
    ("en", "Lawmakers in Kyiv welcomed the truce, but said Russian troops were still shelling Kherson."),
    ("en", "Putin declared an Easter truce from Saturday evening until Sunday midnight."),
    # a belligerent's leader is a word of war
    ("en", "The Easter truce declared by Putin was broken within hours, Kyiv said; lawmakers called it a sham."),
    ("fr", "Les députés ont salué la trêve conclue entre Israël et le Hamas."),
    ("fr", "Les députés ont salué le cessez-le-feu et la trêve conclus samedi."),
    ("es", "El Gobierno y la guerrilla del ELN prorrogaron la tregua, anunció el presidente del Congreso."),
    ("ru", "Депутаты Госдумы поддержали пасхальное перемирие, объявленное для войск на фронте."),
    ("uk", "Депутати закликали партнерів не вірити в перемир'я, поки тривають обстріли."),
    ("ar", "رحب مجلس النواب اليمني بالهدنة الأممية بين الحكومة والحوثيين."),
    ("ar", "أعلنت الأطراف هدنة إنسانية قبل المباراة النهائية."),
]


@pytest.mark.parametrize("lang, text", WAR_TRUCES, ids=ids(WAR_TRUCES))
def test_a_wars_truce_stays_a_ceasefire(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert "ceasefire" in c.categories, why(c)


# A figure of speech built on a category's word (`figures_of_speech`) is no event: the category term
# that shares a word with it is dropped. Each figure names the word, so real attacks beside the figure's
# other words stay.
FIGURES_OF_SPEECH = [
    ("en", "Beijing launched a charm offensive in Africa."),
    ("en", "The minister launched a diplomatic offensive to win support for the plan."),
    ("en", "The government launched an offensive against corruption on Monday."),
    ("en", "The goal sparked an explosion of joy in the streets of Buenos Aires."),
    ("fr", "Le gouvernement lance une offensive contre la fraude fiscale."),
    ("fr", "Une explosion de joie a suivi la victoire des Bleus."),
    ("es", "El Gobierno lanzó una ofensiva contra la corrupción."),
    ("es", "El ministro recibió un bombardeo de críticas por el presupuesto."),
    ("ru", "Правительство начало наступление на коррупцию."),
    ("ru", "Новость вызвала взрыв возмущения в соцсетях."),
    ("uk", "Уряд почав наступ на корупцію."),
    ("uk", "Новина викликала вибух обурення."),
    ("ar", "تعرض الوزير لقصف إعلامي من المعارضة."),
    ("ar", "أثار القرار انفجارا في الأسعار."),
]


@pytest.mark.parametrize("lang, text", FIGURES_OF_SPEECH, ids=ids(FIGURES_OF_SPEECH))
def test_a_figure_of_speech_on_a_war_word_is_no_event(pipeline, lang, text):
    c = classify(pipeline, lang, text)
    assert not c.categories, why(c)
    assert any("figure of speech" in s.reason for s in c.suppressed), why(c)


EVENTS_BESIDE_FIGURES = [
    ("en", "Troops launched an offensive against rebel positions near Goma.", "armed_clash"),
    ("en", "An Israeli strike on a media office in Gaza killed two journalists.", "airstrike"),
    ("en", "An explosion at a market in Kabul killed five people.", "explosion"),
    ("fr", "L'armée a lancé une offensive contre les rebelles dans le nord.", "armed_clash"),
    ("es", "El ejército lanzó una ofensiva contra el ELN en el Catatumbo.", "armed_clash"),
    ("ru", "Обстрел дипломатического представительства в Киеве повредил здание.", "shelling"),
    ("uk", "Внаслідок вибуху на ринку в Херсоні загинули двоє людей.", "explosion"),
    ("ar", "قصف إسرائيلي استهدف مكتبا إعلاميا في غزة.", "shelling"),
]


@pytest.mark.parametrize("lang, text, category", EVENTS_BESIDE_FIGURES, ids=ids(EVENTS_BESIDE_FIGURES))
def test_an_event_beside_a_figures_words_stays(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    assert category in c.categories, why(c)


# Drills and old ordnance (occasions_blind.tsv): a simulated strike, an air-raid siren, bomb disposal
# and a shell an adjective away from its old war raise nothing; the same words beside today's strikes stay.
DRILLS_AND_OLD_ORDNANCE = [
    ("ru", "На полигоне расчёты ПВО отразили условный массированный авиаудар.", None),
    ("ar", "نفذ الدفاع المدني تمرينا يحاكي التعامل مع غارة جوية على حي سكني.", None),
    ("en", "Air raid sirens wailed across Seoul during the annual civil defence drill.", None),
    ("en", "Air raid sirens sounded across Kyiv as Russian missiles struck the city.", "shelling"),
    ("es", "Los TEDAX detonaron de forma controlada una bomba hallada en unas obras.", None),
    ("ar", "عثر عمال على قذيفة مدفعية تعود إلى الحرب العالمية الثانية.", None),
    ("ru", "В результате обстрела поврежден мемориал времен Великой Отечественной.", "shelling"),
    ("en", "Shelling damaged a memorial from World War II.", "shelling"),
    # a hypothetical's reach ends at a semicolon: the drills do not make the battle a drill
    ("ru", "Боевики атаковали базу, где проходили учения; в ходе боя погибли 11 военнослужащих.", "casualties"),
]


@pytest.mark.parametrize("lang, text, category", DRILLS_AND_OLD_ORDNANCE, ids=ids(DRILLS_AND_OLD_ORDNANCE))
def test_drills_and_old_ordnance(pipeline, lang, text, category):
    c = classify(pipeline, lang, text)
    if category is None:
        assert not c.categories, why(c)
    else:
        assert category in c.categories, why(c)


# Counts that look like years or come with a word for thousands. A number from 1900 to 2100 is a year
# unless a word for people follows it (Gaza tolls are written «إلى 2015 شهيدا»); Arabic «آلاف» after a
# number multiplies it («3 آلاف»: 3,000) and alone is "thousands", no count.
COUNTS_LIKE_YEARS_AND_THOUSANDS = [
    ("ar", "ارتفعت حصيلة الشهداء إلى 2015 شهيدا.", 2015),
    ("ru", "Число погибших возросло до 1950 человек.", 1950),
    ("en", "The death toll rose to 1950 people.", 1950),
    ("en", "In 2015, people were killed in the attack.", None),
    ("ar", "قتل نحو 8 آلاف رجل في المجزرة.", 8000),
    ("ar", "قتل ثلاثة آلاف شخص في الحرب.", 3000),
    ("ar", "قتل 15 ألفا في الحرب.", 15000),
    ("ar", "قتل آلاف الأشخاص في الحرب.", None),
    ("fr", "Une frappe tuait 45 personnes.", 45),
    ("en", "In 1995 civilians were killed in Srebrenica.", None),
    ("en", "Shelling killed 1,950 in the town.", 1950),
    ("ar", "قتل ألفا شخص في الحرب.", None),  # a dual, 2,000: no count rather than a wrong one
]


@pytest.mark.parametrize("lang, text, killed", COUNTS_LIKE_YEARS_AND_THOUSANDS,
                         ids=[f"{r[0]}:{r[1][:40]}" for r in COUNTS_LIKE_YEARS_AND_THOUSANDS])
def test_counts_that_look_like_years_or_come_in_thousands(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)


# Count forms of Arabic and Russian wire copy that an audit found misread: killed and wounded side by
# side after their numbers («1200 شهيد و3500 جريح»: the wounded had been counted as killed), «أودت
# المعارك … بحياة», «واحد وعشرون» (21, not 20), ranges with «إلى», construct duals («ألفي شخص»),
# «тыс.», «полторы тысячи», a toll rising far from its noun. Rows: language, text, killed, injured.
COUNT_FORMS = [
    ("ar", "ارتفعت حصيلة الشهداء في القطاع إلى ١٬٢٠٠ شهيد و٣٬٥٠٠ جريح.", 1200, 3500),
    ("ar", "سقوط 5 قتلى و8 جرحى في القصف.", 5, 8),
    ("ar", "أودت المعارك في إقليم دارفور بحياة أكثر من 3 آلاف مدني خلال الشهر الماضي.", 3000, None),
    ("ar", "استشهد واحد وعشرون فلسطينيا في قصف إسرائيلي على مخيم المغازي.", 21, None),
    ("ar", "أفادت مصادر طبية بمقتل ما بين 10 إلى 15 شخصا في القصف المدفعي على مدينة كادقلي.", 10, None),
    ("ar", "ارتفع العدد إلى 15 قتيلا.", 15, None),
    ("ar", "أسفرت الغارات الروسية عن مقتل ألفي شخص خلال شهر واحد.", 2000, None),
    ("ar", "قتل 3 جنود و5 مدنيين.", 8, None),
    ("ar", "قالت الأمم المتحدة إن عدد القتلى في ولاية غرب دارفور تجاوز 15 ألفا.", 15000, None),
    ("ar", "ارتفع عدد قتلى الهجوم على الكلية الحربية في حمص إلى 89 شخصا، بينهم 31 امرأة و5 أطفال.", 89, None),
    ("ru", "В секторе Газа погибли свыше 35 тыс. человек, сообщил минздрав.", 35000, None),
    ("ru", "Число погибших при теракте в «Крокус Сити Холле» возросло до 143 человек.", 143, None),
    ("ru", "Погибли полторы тысячи человек.", 1500, None),
    ("ru", "Погибли более двух десятков человек.", 20, None),  # read as 2 before
    ("ru", "Погибли десятки человек.", None, None),
    ("ru", "Погибших нет, ранены двое.", None, 2),  # a negation stops at a comma
    ("ru", "В Белгороде погибла 72-летняя женщина.", 1, None),  # an age: 72 before
    ("ru", "13 июля погибли двое мирных жителей.", 2, None),  # a date: 13 before
    ("ar", "وقالت الوزارة إن 40 في المئة من الشهداء هم من الأطفال.", None, None),  # 100 before
    ("ar", "استشهد 25 فلسطينيا وأصيب العشرات في القصف.", 25, None),  # the singular noun after 25 is no one
    ("ar", "أعلن الجيش مقتل جنديين اثنين في كمين.", 2, None),  # a dual and its agreeing dual: 4 before
    ("ar", "استشهد مواطنان وأصيب ثالث بجروح خطيرة.", 2, 1),
    ("fr", "Une vingtaine de personnes ont été tuées.", 20, None),
    # Thousands and a remainder; decimals count only before a multiplier
    ("ar", "ارتفع عدد الشهداء في قطاع غزة إلى 43 ألفا و391 شهيدا منذ بدء العدوان.", 43391, None),
    ("ar", "قتل ألف و200 شخص في المعارك.", 1200, None),
    ("ar", "قتل 1.5 ألف شخص في المعارك.", 1500, None),  # read as 5,000 before
    ("ar", "قتل ١٫٥ ألف شخص في المعارك.", 1500, None),
    ("ru", "В результате обстрелов погибли 1,5 тыс. человек.", 1500, None),
    ("en", "The shelling killed 2.5 thousand people.", 2500, None),
    ("en", "The fighting has killed 1.2 million people.", None, None),  # a million and more is no count
    ("es", "Los combates dejaron 1,5 millones de muertos.", None, None),
    ("en", "Shelling killed a man 2.5 km from the border.", 1, None),  # the man (`one`); read as 2 before
    ("ru", "13.07 при обстреле погибли люди.", None, None),  # a date, not 13 dead
    # From the count probes (tests/fixtures/count_probes.tsv): numbers beside a term that are no count
    ("en", "Two men, aged 45 and 62, were killed in the shelling.", 2, None),  # 62 before
    ("en", "Gunmen opened fire on a bus at around 05:30, killing six passengers.", 6, None),  # the minutes: 30
    ("en", "On March 28, gunmen killed 11 villagers.", 11, None),  # 28: "gunmen" was taken as its people
    ("fr", "Trente personnes ont été tuées, dont 40 % d'enfants.", 30, None),
    ("fr", "Cinq soldats ont été tués le 28 mars.", 5, None),
    ("uk", "Загинули двоє людей: 45-річний чоловік та 17-річний юнак.", 2, None),  # ages: 45 before
    ("en", "A gunman opened fire on a bus on Route 60, killing two Israelis and wounding four.", 2, 4),
    ("fr", "Deux civils ont été tués par une frappe de drone.", 2, None),  # «une» is no "one"
    ("es", "Dos soldados murieron en un ataque con drones.", 2, None),
    # an article counts only with a people word right after it: not «une frappe israélienne», nor «un
    # ataque yihadista» (whose «un» took «resultaron heridos» and so lost it the 12 before it)
    ("fr", "Des commandants des Gardiens de la révolution ont été tués dans une frappe israélienne à Damas.",
     None, None),
    ("es", ("Al menos 33 soldados murieron y otros 12 resultaron heridos en un ataque yihadista contra una "
            "posición militar."), 33, 12),
    ("en", "The strike killed eight, three of them children.", 8, None),  # not 11
    # Number words
    ("en", "Two dozen people were killed.", 24, None),
    ("fr", "Quatre-vingts civils ont été tués.", 80, None),
    ("fr", "Quatre-vingt-dix personnes ont été tuées.", 90, None),
    ("es", "Treinta y dos personas murieron en los combates.", 32, None),
    ("uk", "Загинули два десятки людей.", 20, None),
    ("uk", "Загинули сім людей.", 7, None),
    ("uk", "Загинули понад 2 тис. людей.", 2000, None),
    # A number with its people word reaches a term further after it; rising tolls
    ("fr", "Trois soldats et cinq civils ont été tués dans l'attaque.", 8, None),
    ("fr", "Le bilan des morts est passé de 27 à 31.", 31, None),
    ("es", "Al menos 200 personas han muerto en los combates.", 200, None),
    # A toll as lives taken
    ("en", "The attack claimed the lives of 17 soldiers.", 17, None),
    ("en", "The ambush claimed 17 lives.", 17, None),
    ("fr", "L'embuscade a coûté la vie à 17 soldats.", 17, None),
    ("es", "La emboscada costó la vida a 17 soldados.", 17, None),
    # "the number of dead has risen to", bodies recovered (from a review session's probes, 2026-11-27)
    ("en", "The number of dead has risen to 34 since Friday's blast, a spokesman said.", 34, None),
    ("en", "The number of wounded has since climbed to 2,750, the minister said.", None, 2750),
    ("es", "El número de fallecidos ha subido a 26, dijo un médico.", 26, None),
    ("es", "El número de heridos subió a 19, añadieron las autoridades.", None, 19),
    ("es", "Los rescatistas recuperaron 20 cuerpos de entre los escombros.", 20, None),
    ("fr", "Les secouristes ont retiré 33 corps des décombres.", 33, None),
    ("fr", "Cinq corps ont été retrouvés lundi au bord d'une route de Culiacán.", 5, None),
    ("ru", "Спасатели извлекли из-под завалов тела 12 человек.", 12, None),
    ("uk", "З-під завалів дістали тіла 40 людей.", 40, None),
    # a number right before a term that a count of people follows is a name's: the road's, the post's
    ("en", "Shelling on Highway 14 killed 3 people.", 3, None),
    ("en", "The blast at Gate 7 killed two guards.", 2, None),
    ("es", "El ataque contra el puesto 12 mató a tres soldados.", 3, None),
    ("ru", "Удар по блокпосту 12 убил трех военнослужащих.", 3, None),
    ("en", "Israeli strike on school sheltering displaced: 20 killed, including 3 children.", 20, None),
    ("ar", "غارة على مدرسة تؤوي نازحين: 20 شهيدا بينهم 3 أطفال.", 20, None),
]


@pytest.mark.parametrize("lang, text, killed, injured", COUNT_FORMS, ids=[f"{r[0]}:{r[1][:40]}" for r in COUNT_FORMS])
def test_count_forms_of_wire_copy(pipeline, lang, text, killed, injured):
    c = classify(pipeline, lang, text)
    assert reported(c) == (killed, injured), why(c)


# From the review of the English, Spanish and Arabic fixes: a cause outside armed conflict does not
# hide a weapon named beside it, and a police shooting of a thief is no armed clash.
@pytest.mark.parametrize("lang, text, expected", [
    ("es", "Un misil ruso impactó en una planta química de Sumy y mató a dos trabajadores.", {"shelling", "casualties"}),
    ("es", "La policía abatió a un presunto ladrón en Bogotá.", set()),
    ("es", "El ejército abatió a tres presuntos sicarios del cártel en Culiacán.", {"armed_clash", "casualties"}),
])
def test_review_of_the_spanish_fixes(pipeline, lang, text, expected):
    assert set(classify(pipeline, lang, text).categories) == expected


@pytest.mark.parametrize("lang, text", [
    ("es", "Se registraron enfrentamientos entre manifestantes y fuerzas de seguridad en Santiago, con 20 heridos."),
    ("en", "Clashes between protesters and security forces left 20 people injured in Nairobi."),
])
def test_a_clash_term_that_names_a_protest_is_the_protests(pipeline, lang, text):
    """A cause outside armed conflict among a term's own words («manifestantes») makes it that cause's."""
    c = classify(pipeline, lang, text)
    assert not c.categories, why(c)


#: `earlier_toll`: a sentence giving an earlier or a background toll counts only where no other does.
EARLIER_TOLLS = [
    ("en", "A car bomb killed 11 people in Mogadishu. Police had earlier reported 15 dead.", 11),
    ("en", "A car bomb killed 11 people in Mogadishu. A similar attack on a hotel in 2024 killed more than 30.", 11),
    ("en", "Police had earlier reported 15 dead in the car bombing in Mogadishu.", 15),  # the only toll
    ("ru", "При обстреле Белгорода погибли пять человек. Напомним, в 2024 году при атаке погибли более 20 человек.",
     5),
    ("uk", "Унаслідок удару по Одесі загинули семеро людей. Раніше повідомлялося про дев'ятьох загиблих.", 7),
    ("fr", "L'attentat a fait 7 morts à Kaboul. Un premier bilan faisait état de 10 morts.", 7),
    ("es", "El ataque dejó siete muertos en Culiacán. En un primer reporte habían informado de 10 fallecidos.", 7),
    ("ar", "قتل سبعة أشخاص في قصف على حلب. وكانت حصيلة سابقة قد أشارت إلى مقتل عشرة أشخاص.", 7),
    # a cue governs its own clause only, unless it opens the sentence: today's toll beside it stays
    ("en", "A missile strike killed 14 people, up from the 9 initially reported. A 7-year-old girl was killed.", 14),
    ("ru", "Число погибших возросло до 15, ранее сообщалось о девяти погибших. Среди погибших двое детей.", 15),
    ("es", "El ataque dejó 15 muertos, frente a los nueve que se habían informado. Entre los muertos hay dos niños.", 15),
    ("ar", "أعلنت وزارة الصحة في وقت سابق اليوم مقتل 12 شخصا في القصف. وأضافت أن من بين القتلى طفلين.", 12),
]


@pytest.mark.parametrize("lang, text, killed", EARLIER_TOLLS, ids=ids(EARLIER_TOLLS))
def test_an_earlier_or_background_toll_counts_only_alone(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)


#: A running total (a war's, a year's) is a background toll too: "has killed 43,000 since October 2023",
#: «с начала года», «desde septiembre de 2024». A superlative before the cue makes it a comparison of
#: today's toll ("the deadliest attack since 2022"), no running total (`superlatives`).
RUNNING_TOTALS = [
    ('en', 'An Israeli airstrike on a school in Gaza City killed 12 people on Tuesday, the civil defence agency said. The war has killed more than 43,000 Palestinians since October 2023, according to the health ministry.',
     12),
    ('en', 'Russian shelling killed three civilians in Kherson on Monday, bringing the number of residents killed in the city since the start of the full-scale invasion to 1,250.',
     3),
    ('en', 'A drone strike killed five people in Sumy. Since the war began, at least 12,000 civilians have been killed in Ukraine, the UN says.',
     5),
    ('en', 'The strike killed 12 people in the deadliest attack on the city since 2022, officials said.',
     12),
    ('en', 'Gunmen killed seven soldiers near the border on Friday. Attacks by the group have killed more than 300 soldiers so far this year.',
     7),
    ('en', 'Clashes in El Fasher killed nine people. The conflict has killed tens of thousands and displaced 12 million since April 2023.',
     9),
    ('ar', 'قتل 12 شخصا في غارة إسرائيلية على مدرسة في مدينة غزة يوم الثلاثاء. وارتفعت حصيلة الشهداء منذ بدء الحرب إلى 43 ألفا.',
     12),
    ('ar', 'استشهد خمسة فلسطينيين في قصف على خان يونس. ومنذ 7 أكتوبر 2023 قتل أكثر من 43 ألف فلسطيني.',
     5),
    ('ru', 'В результате обстрела Белгорода погибли три человека. С начала года в области погибли 120 мирных жителей.',
     3),
    ('ru', 'Удар дрона по автобусу убил четырех человек. Всего с 2014 года в Донбассе погибли более 14 тысяч человек.',
     4),
    ('uk', 'Внаслідок обстрілу Херсона загинули двоє людей. З початку повномасштабного вторгнення в області загинули понад 1200 цивільних.',
     2),
    ('uk', 'Російський удар по Одесі забрав життя шести людей. Від початку війни в Одесі загинули понад 300 людей.',
     6),
    ('fr', 'Une frappe aérienne a tué huit civils à Gaza mardi. La guerre a fait plus de 43 000 morts depuis le 7 octobre 2023, selon le ministère.',
     8),
    ('fr', "Quatre soldats ont été tués dans une attaque jihadiste au Mali. Depuis le début de l'année, plus de 500 soldats ont été tués.",
     4),
    ('es', 'Un ataque armado dejó seis muertos en Culiacán el lunes. La guerra entre facciones del cártel ha dejado más de 1.800 muertos desde septiembre de 2024.',
     6),
    ('es', 'Tres soldados murieron en un ataque con drones en el Catatumbo. En lo que va del año, 80 militares han muerto en la región.',
     3),
    ('en', 'An airstrike killed 12 people in the deadliest attack on the city since 2022. Earlier on Monday, a drone killed two people in a nearby village.',
     12),
    ('en', 'The strike killed 12 people, the highest toll since the start of the war in a single attack. A separate strike killed 2 in Izium.',
     12),
    ('fr', "La frappe a tué 15 personnes, l'attaque la plus meurtrière depuis 2022. Une autre frappe a tué deux civils.",
     15),
    ('es', 'El ataque dejó nueve muertos, el más mortífero desde 2023 en la región. Otro ataque dejó dos muertos.',
     9),
    ('ru', 'Удар унес жизни десяти человек - это самый смертоносный удар с начала года. Еще два человека погибли в Харькове.',
     10),
]


@pytest.mark.parametrize("lang, text, killed", RUNNING_TOTALS, ids=ids(RUNNING_TOTALS))
def test_a_running_total_is_a_background_toll(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)


#: A period up to now (`since`: "since", «depuis le début», «с начала», «منذ») in a sentence after one that
#: gave a count of the kind, with a count over ten times that one, is the conflict's running total:
#: a wire story's lead gives the day's toll and a later paragraph the war's, in forms no `running_total`
#: list can foresee ("since it seized power", "since the offensive began"). Not in the lead itself, nor
#: for an update of the day's toll: a word for the rise (`updates`), a time of the day ("since dawn"),
#: a witness quoted, or a count not ten times the first; and in French and Spanish not «depuis» or
#: «desde» meaning "from".
SINCE_TOTALS = [
    ("en", ("A military airstrike on a village in Sagaing killed at least 11 people, residents said. More than 5,000 "
           "civilians have been killed by the military since it seized power in a coup in 2021."), 11),
    ("en", ("Warplanes struck Idlib, killing at least 11 civilians. The Observatory said more than 500 people, most "
           "of them combatants, have been killed since the offensive began."), 11),
    ("fr", ("Cinq Palestiniens ont été tués lors d'une frappe de drone près de Tulkarem. Plus de 800 Palestiniens ont "
           "été tués en Cisjordanie par des soldats ou des colons depuis le début de la guerre."), 5),
    ("ru", ("В результате авиаудара по Бейруту погибли шесть человек. С начала эскалации в конце сентября в Ливане "
           "погибли более 1 тыс. человек."), 6),
    ("uk", "Унаслідок авіаударів по Лівану загинули 15 людей. З початку ескалації в Лівані загинули понад 1000 людей.",
     15),
    ("ar", ("قتل 13 شخصا في غارة على منزل في دير البلح. وتقول وزارة الصحة إن أكثر من 68 ألف فلسطيني قتلوا في الحرب "
           "المستمرة منذ أكثر من عامين."), 13),
    ("es", ("Un ataque armado dejó seis muertos en Culiacán. Más de 1.800 personas han muerto desde el inicio de los "
           "enfrentamientos entre facciones."), 6),
    # kept
    ("en", ("Israeli strikes have killed 40 people across Gaza since dawn, medics said. In Khan Younis, a strike "
           "killed five members of one family."), 40),
    ("en", "An airstrike on the market killed 9 people. The toll has since risen to 14, officials said.", 14),
    ("en", ("A missile strike killed 3 people in Kharkiv. Russian attacks have killed 20 people in the region since "
           "Monday, the governor said."), 20),
    ("fr", ("Deux civils ont été tués par un drone. Douze personnes ont été tuées par des roquettes tirées depuis le "
           "Liban, selon l'armée."), 12),
    ("es", ("Dos civiles murieron en un ataque con drones. Doce personas murieron por disparos desde un helicóptero, "
           "según el ejército."), 12),
    # the day's toll updated: a word for the rise, a time of the day, a witness quoted, or not ten times more
    ("en", ("A missile struck an apartment block in Uman, killing at least 7 people. The death toll has since risen "
           "to 80, officials said."), 80),
    ("en", ("Russian shelling of Kherson killed 2 people. Since dawn, emergency crews have recovered 30 bodies from "
           "the rubble, the governor said."), 30),
    ("en", ("A drone struck a minibus near Nikopol, killing 3 people. \u201cSince the drone hit we have counted 40 "
           "dead,\u201d a local official said."), 40),
    ("en", ("A missile struck an apartment block in Uman, killing at least 7 people. Rescuers have since pulled 23 "
           "bodies from the rubble."), 23),
    ("ru", "В результате удара по Белгороду погибли два человека. С начала суток в области погибли 30 человек.", 30),
    ("ar", "قتل 3 أشخاص في غارة على خان يونس. وقال مسعفون إن 40 شخصا قتلوا منذ فجر اليوم في غارات على القطاع.", 40),
]


@pytest.mark.parametrize("lang, text, killed", SINCE_TOTALS, ids=ids(SINCE_TOTALS))
def test_a_later_count_since_a_past_date_is_a_running_total(pipeline, lang, text, killed):
    c = classify(pipeline, lang, text)
    assert c.casualties.killed == killed, why(c)


#: tests/fixtures/since_probes.tsv: 120 paragraphs a review session wrote (2026-11-27) to break the rule
#: above, 20 per language (``type``: A, the day's toll updated with "since" in a later sentence; P, later
#: running totals; C, controls; J, judgement calls, each explained in ``note``). 69 right before the rule,
#: 62 with its first version (every update taken for a running total), 106 with `updates`, times of the
#: day in `today`, quotation marks and a multiple of ten; 113 once "the number of wounded has risen to",
#: «número de fallecidos subió a» and «retiré 33 corps» are read, 115 with «с тех пор как» and «відтоді
#: як» (not «с тех пор» alone: "since then", after an update). Still wrong: fr10 (a two-day-old
#: offensive's toll after one strike's: a judgement call), «منذ يومين» (two days ago), «desde ~ mayo»
#: inside a place's name, «desde hace semanas», and «elevó a 18 el número de heridos» (the count before
#: its term).
SINCE_PROBES_RIGHT = 115


def test_since_probes_in_six_languages(pipeline):
    wrong = []
    rows = _fixture_rows("since_probes.tsv")
    for probe_id, lang, published, killed, injured, text, kind, _ in rows:
        c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at=published), lang)
        expected = (int(killed) if killed else None, int(injured) if injured else None)
        if (c.casualties.killed, c.casualties.injured) != expected:
            wrong.append((probe_id, kind, expected, (c.casualties.killed, c.casualties.injured)))
    assert len(rows) == 120
    assert len(rows) - len(wrong) >= SINCE_PROBES_RIGHT, wrong


#: tests/fixtures/running_total_probes.tsv: 120 sentences a helper session wrote (2026-11-27) to break
#: the running-total rule: today's toll beside a war's or a year's in every phrasing, recent "since"
#: phrases that are no running total ("since Monday"), comparisons ("the first strike since 2023"),
#: totals alone, and wounded totals. Rows ``rt``: 31 of 90 right with the first cue lists, 79 after its
#: data fixes, a superlative window of eight words and a cue's clause reaching the next one when it has
#: no count of its own; rows ``rv``, held out: 29 of 30. Still wrong (``note`` says which): a cue past an
#: interjected clause («Всего с 2014 года, по данным ООН, …»), bare years and "this year" (an event
#: sentence says them too), "since fighting erupted" and «الحرب المستمرة منذ» (both also open today's
#: events), and «desde el lunes, … han matado a 31», which the extractor does not read. 111 with the
#: later-count rule (`since`: rt005, rt019, rt058).
RUNNING_TOTAL_PROBES_RIGHT = 111


def test_running_total_probes_in_six_languages(pipeline):
    wrong = []
    rows = _fixture_rows("running_total_probes.tsv")
    for probe_id, lang, killed, injured, text, note in rows:
        c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at="2026-11-20"), lang)
        expected = (int(killed) if killed else None, int(injured) if injured else None)
        if reported(c) != expected:  # a row whose only count is the total expects it, now kept apart
            wrong.append((probe_id, note, expected, reported(c)))
    assert len(rows) == 120
    assert len(rows) - len(wrong) >= RUNNING_TOTAL_PROBES_RIGHT, wrong


def test_a_running_total_alone_is_kept_apart_from_the_events_toll(pipeline):
    """Unlike an earlier toll, a running total is never the event's, even where the article gives no other
    count: a ceasefire's alert had carried the war's total as its dead, and a *critical* severity."""
    c = classify(pipeline, "en", "The war has killed more than 43,000 Palestinians since October 2023, "
                 "the health ministry said, as mediators called for a ceasefire.")
    assert (c.casualties.killed, c.casualties.running_killed) == (None, 43000), why(c)
    assert c.severity != "critical"


# -- from the second audit of whole scraped pages (tests/fixtures/scraped_articles_2) -----------------

@pytest.mark.parametrize("lang, text", [
    ("fr", "Le salon présentait des drones de combat. Au sol, les visiteurs faisaient la queue."),
    ("en", "The show ended with a parade of armed men. Attacked by critics, the organisers apologised."),
])
def test_a_term_of_several_words_does_not_run_across_a_sentences_end(pipeline, lang, text):
    """«combat. Au sol» was «combat au sol», "men. Attacked" "armed men attacked": armed clashes."""
    c = classify(pipeline, lang, text)
    assert not c.categories, why(c)


@pytest.mark.parametrize("lang, text, killed", [
    ("es", ("Un ataque con drones dejó siete muertos en Tibú. Hace un año, la ofensiva del ELN en el Catatumbo "
           "dejó más de 80 muertos."), 7),
    ("ar", ("قتل ثلاثة أشخاص في غارة إسرائيلية على بنت جبيل. ويحيي اللبنانيون الشهر المقبل الذكرى العشرين لحرب "
           "تموز 2006، التي استمرت 33 يوما وأسفرت عن مقتل نحو 1200 لبناني."), 3),
    # alone, the past toll is still the article's (as an earlier toll is)
    ("es", "Hace un año, la ofensiva del ELN en el Catatumbo dejó más de 80 muertos.", 80),
])
def test_a_past_cue_makes_its_sentences_counts_a_past_toll_beyond_its_reach(pipeline, lang, text, killed):
    """A past cue governs its terms up to a comma; a count further on in its sentence is a past toll."""
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at="2026-05-17"), lang)
    assert c.casualties.killed == killed, why(c)


@pytest.mark.parametrize("lang, text, killed, injured", [
    ("es", "La ofensiva del ELN dejó 8 muertos y unos 600 desplazados.", 8, None),
    ("fr", "L'offensive a fait 8 morts et quelque 600 déplacés.", 8, None),
    ("ar", "أسفرت المعارك عن مقتل 8 أشخاص ونزوح 600 عائلة.", 8, None),
    ("en", "The offensive left 8 dead and some 600 displaced people.", 8, None),
    ("en", "The strike killed 30 displaced people sheltering in a school.", 30, None),  # a term's only number
    ("fr", "Une frappe a tué 5 déplacés et blessé 12.", 5, 12),  # displaced people were killed
])
def test_a_second_number_of_another_fate_is_no_casualty_count(pipeline, lang, text, killed, injured):
    c = classify(pipeline, lang, text)
    assert (c.casualties.killed, c.casualties.injured) == (killed, injured), why(c)


@pytest.mark.parametrize("lang, text, killed, injured", [
    ("ar", ("استشهد ثلاثة أشخاص في غارة على بنت جبيل. وتقول وزارة الصحة إن الغارات الإسرائيلية منذ إعلان وقف "
           "إطلاق النار أسفرت عن استشهاد أكثر من 330 شخصا."), 3, None),
    ("uk", "Унаслідок удару по Харкову поранено 12 людей. Кількість поранених зросла до 15.", None, 15),
])
def test_tolls_from_the_second_page_audit(pipeline, lang, text, killed, injured):
    c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at="2026-07-22"), lang)
    assert (c.casualties.killed, c.casualties.injured) == (killed, injured), why(c)


@pytest.mark.parametrize("lang, text", [
    ("es", "Tras los enfrentamientos entre aficionados de ambos equipos, tres personas resultaron heridas leves."),
    ("es", "Mbappé empató con un cañonazo desde la frontal."),
    ("ru", "Теракт исключен, сообщили в полиции."),
    ("ru", "Версия о теракте не рассматривается, взрыв произошел из-за утечки газа."),
])
def test_no_escalation_in_these_from_the_second_page_audit(pipeline, lang, text):
    """Fans' fights (a riot's, by the README's policy), a shot in football, a terror attack ruled out."""
    c = classify(pipeline, lang, text)
    assert not c.is_escalation, why(c)


def test_fire_returned_after_an_attack_is_a_clash(pipeline):
    c = classify(pipeline, "es", "Los militares fueron atacados a balazos desde los cerros cercanos y repelieron "
                 "la agresión.")
    assert "armed_clash" in c.categories, why(c)


#: tests/fixtures/toll_regression_probes.tsv: 170 current-event sentences a review session wrote
#: (2026-11-27) to break the background-toll rules (running totals, past cues' reach, anniversaries,
#: other fates, terms across a sentence's end): today's toll beside a war's, "since Monday", "the first
#: strike since 2023", two-number tolls, victims who were displaced or detained. Against the first
#: version of those rules 70 of 190 probes had regressed; after they were narrowed none did, and 153 of
#: these 170 are right (a second review's 178 probes: 108 regressions against an intermediate version,
#: none but three judgement calls after the last narrowing). Still wrong: sums across a number of
#: another fate ("killed 3 soldiers and 12 evacuees": 3), a "record 600 children" total, tolls whose
#: sentence an initialism cuts ("the U.S. Navy strike … rose to 11": "the U.S." ends sentences as
#: often), "Hospital No. 5", and «لقي د. محمد أبو سلمية مصرعه» (the name is longer than the term's gap).
#: toll_regression_probes_2.tsv: the second review's 159 unambiguous probes (judgement calls left
#: out); 149 right, then 152 once an opening earlier-toll cue whose own clause gives the earlier count
#: stopped governing the risen toll after it («Un premier bilan faisait état de 9 morts, bilan qui s'est
#: ensuite alourdi à 14 morts»: 14). Still wrong, and before these rules too: English "…reported 9 dead,
#: which later rose to 14" (no casualty term before "14"), a year in an apposition dates the clause it
#: ends ("Kherson, liberated in November 2022, came under shelling that killed 4"), and "Hamas fighters
#: killed 1,200 people on 7 October 2023" is a count.
TOLL_REGRESSION_PROBES_RIGHT = {"toll_regression_probes.tsv": (170, 153), "toll_regression_probes_2.tsv": (159, 152)}


@pytest.mark.parametrize("name", sorted(TOLL_REGRESSION_PROBES_RIGHT))
def test_toll_regression_probes(pipeline, name):
    size, floor = TOLL_REGRESSION_PROBES_RIGHT[name]
    wrong = []
    rows = _fixture_rows(name)
    for probe_id, lang, killed, injured, text in rows:
        text = text.replace("\\n", "\n")  # hard-wrapped probes: a line break inside a sentence
        c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at="2026-11-20"), lang)
        if c.casualties.killed != int(killed) or (injured and c.casualties.injured != int(injured)):
            wrong.append((probe_id, int(killed), injured, c.casualties.killed, c.casualties.injured))
    assert len(rows) == size
    assert len(rows) - len(wrong) >= floor, wrong


def test_a_toll_rise_goes_to_the_term_across_no_clause_break(pipeline):
    """«…двое погибших, число раненых выросло до семи» matches «погибших ~ ~ выросло до» across the comma and
    «раненых выросло до»: the seven are the wounded (they had been the dead's: a09_ru of the scraped pages)."""
    c = classify(pipeline, "ru", "Атака дронов на Белгородскую область: двое погибших, число раненых выросло до семи.")
    assert (c.casualties.killed, c.casualties.injured) == (2, 7), why(c)


#: tests/fixtures/natural_toll_paragraphs.tsv: 120 wire-style paragraphs (20 per language, 13 conflicts) a
#: helper session wrote as agencies write them, not aimed at any rule, with today's toll as an ACLED
#: coder would record it (2026-11-27). Killed right: 71 with the rules of the morning before (049b338),
#: 78 with the background tolls, 86 once "the toll … rose to N" reached past a subject of up to ten
#: words in Russian, Ukrainian, French and Spanish (as in English), 92 with a later count since a past
#: date taken for a running total (`since`); wounded 108, then 110. Still wrong: background totals
#: without a since-phrase ("in the first three months of the year", «بعد حرب أسفرت عن مقتل»), other
#: events' tolls, tolls after a subject of over ten words, and the bodies found in French.
#: tests/fixtures/natural_toll_paragraphs_2.tsv: 120 more, by another helper (2026-11-27, late morning),
#: who read neither the rules nor the tests: held out until then. Killed right 99 with the morning's
#: rules (a7d7121), 103 with the later count since a past date as a running total; wounded 116 both.
#: Still wrong: updated tolls after a subject of over ten words or an earlier figure quoted beside them,
#: background totals without a since-phrase ("this year", "in nearly a year of hostilities"), subgroups
#: («Среди погибших трое детей и семь женщин» summed), the missing counted with the dead.
#: tests/fixtures/natural_toll_paragraphs_3.tsv: 120 more by a third helper that read neither (2026-11-27,
#: midday), held out until then: killed right 83 with the morning's rules (2f4778d), 87 with a toll's
#: subject of up to twenty words where it opens its sentence (`^` terms), 92 once ages, suspects, a date
#: inside such a subject and events hours earlier were read, 95 with running totals kept apart from the
#: event's toll; wounded 118 throughout. tests/fixtures/natural_toll_paragraphs_4.tsv: 120 more by a
#: fourth helper (early afternoon), held out until those changes but the last: 78 → 85, then 88 with
#: running totals apart, 89 with asides between commas in a toll's subject (set 3: 96); wounded 108.
#: Earlier sets: 92 → 101 and 103 → 110 killed, 111 → 112 and 116 wounded, with the same changes.
NATURAL_RIGHT = {"natural_toll_paragraphs.tsv": (101, 112), "natural_toll_paragraphs_2.tsv": (110, 116),
                 "natural_toll_paragraphs_3.tsv": (96, 118), "natural_toll_paragraphs_4.tsv": (89, 108)}


#: Probe sets with a publication date (id, lang, published, killed, injured, text): rows right (killed, and
#: injured where given) out of all. toll_gap_probes*.tsv: two reviews' paragraphs written to break a toll
#: read twenty words from its verb (2026-11-27; a toll word beside another subject's rise, prices, aid,
#: displaced people), with the toll rises they should read: 58 and 47 right before `^` terms, 75 and 66
#: with them, 75 and 68 once a date's digits may stand in the subject. later_count_probes.tsv: a review's
#: paragraphs against a rule, dropped, that took any later
#: count of 100 or more, over ten times the lead's, for a running total (a subgroup or a first report in
#: the lead and the event's total later: it broke 53 of 63): 70 right before it, 71 now.
#: earlier_event_probes.tsv: a review's paragraphs on cues naming an earlier event (`earlier_toll`): 67
#: right before them; "last week", "last month" and Arabic «وكان … قد» broke 33 of 63 follow-ups (the toll
#: of last week's strike updated, with a subgroup counted in the lead) and were dropped; "a week earlier",
#: «un mois plus tôt», «неделей ранее» kept: 76.
#: period_cue_probes.tsv: a review's paragraphs on period cues for `since` (2026-11-27): 84 right before;
#: "this year", "last year", "of the year", "years of war", "of hostilities" broke 56 of 81 (a later
#: today's toll whose clause says "the second attack on the city this year", "battered by years of war",
#: "cessation of hostilities") and were dropped; "violence has killed", "years of conflict", «حرب أسفرت
#: عن» kept: 87.
#: aside_probes.tsv: a review's paragraphs against asides between commas in a `^` term's subject: 70
#: right before them; the first version (any aside, anywhere before the verb) broke 33 of 63 ("…, at this
#: stage, … the count of damaged homes rose to 300", "…, in the past week alone, rose to 57"); with the
#: last aside closing by the verb, no "at" nor "on", and no unit of time inside: 87 (the gap probes 79
#: and 74).
DATED_PROBES_RIGHT = {"toll_gap_probes.tsv": (100, 79), "toll_gap_probes_2.tsv": (100, 74),
                      "aside_probes.tsv": (101, 87),
                      "later_count_probes.tsv": (106, 71), "earlier_event_probes.tsv": (119, 76),
                      "period_cue_probes.tsv": (136, 87)}


@pytest.mark.parametrize("name", sorted(DATED_PROBES_RIGHT))
def test_dated_probe_sets(pipeline, name):
    size, floor = DATED_PROBES_RIGHT[name]
    rows = _fixture_rows(name)
    wrong = []
    for probe_id, lang, published, k, i, text in rows:
        c, _, _ = pipeline.analyse(Article(id="t", text=text, language=lang, published_at=published), lang)
        if (c.casualties.killed or 0) != int(k or 0) or (i and (c.casualties.injured or 0) != int(i)):
            wrong.append((probe_id, k, i, c.casualties.killed, c.casualties.injured))
    assert len(rows) == size
    assert size - len(wrong) >= floor, wrong


@pytest.mark.parametrize("name", sorted(NATURAL_RIGHT))
def test_natural_toll_paragraphs(pipeline, name):
    killed_floor, injured_floor = NATURAL_RIGHT[name]
    killed = injured = 0
    rows = _fixture_rows(name)
    for _, lang, published, k, i, text in rows:
        c, _, _ = pipeline.analyse(Article(id="t", text=text.replace("\\n", "\n"), language=lang,
                                           published_at=published), lang)
        killed += (c.casualties.killed or 0) == int(k or 0)
        injured += (c.casualties.injured or 0) == int(i or 0)
    assert len(rows) == 120
    assert killed >= killed_floor and injured >= injured_floor, (killed, injured)


@pytest.mark.parametrize("lang, text, killed", [
    ("ru", "Число погибших в результате удара ВСУ по пекарне в Лисичанске выросло до 28, сообщили в МЧС.", 28),
    ("uk", "Кількість загиблих унаслідок масованої ракетної атаки на Київ 8 липня зросла до 33.", 33),
    # a number inside the subject is no count
    ("en", "The death toll from the strike on a school sheltering 200 families has risen to 14.", 14),
])
def test_a_toll_that_rose_after_a_long_subject(pipeline, lang, text, killed):
    assert classify(pipeline, lang, text).casualties.killed == killed


@pytest.mark.parametrize("lang, text, killed, injured", [
    ("en", ("The death toll from a Russian ballistic missile strike on the centre of the northeastern Ukrainian city "
           "of Sumy rose to 35 on Monday, officials said."), 35, None),
    ("en", ("ADEN, April 18 (Reuters) - The death toll from U.S. strikes on Yemen's Ras Isa fuel port has risen to 74, "
           "the ministry said."), 74, None),  # after a dateline's dash
    ("ru", "Число погибших в результате удара ВСУ по рынку в Текстильщике на окраине Донецка возросло до 27.", 27, None),
    ("uk", ("Кількість поранених унаслідок атаки російських дронів на житлові будинки в Харкові в ніч на четвер зросла "
           "до 34."), None, 34),
    ("fr", ("Le bilan des frappes russes de la nuit sur le centre historique d'Odessa et sur les installations "
           "portuaires est passé à 14."), 14, None),
    ("es", ("La cifra de muertos por la masacre cometida por la banda Gran Grif el pasado jueves en la localidad "
           "haitiana de Pont-Sondé ascendió a 115."), 115, None),
    # asides between commas: a place, a source
    ("es", ("La cifra de muertos por los bombardeos de Estados Unidos contra el puerto petrolero de Ras Isa, en el "
            "oeste de Yemen, ascendió a 74."), 74, None),
    ("fr", ("Le bilan de la frappe russe sur un immeuble résidentiel du centre de Dnipro, dans l'est du pays, s'est "
            "alourdi à 45, selon les autorités régionales."), 45, None),
    # a dash glued to the agency's parenthesis
    ("es", ("México, 2 jul (EFE).- La cifra de muertos por el ataque armado contra un centro de rehabilitación "
            "para adictos en Irapuato, en el estado mexicano de Guanajuato, subió a 27."), 27, None),
    # after an em dash's dateline; a year inside the subject
    ("en", ("KYIV (AP) — The death toll from a Russian missile strike on an apartment building in the central city "
            "of Uman rose to 23, officials said."), 23, None),
    ("en", ("The death toll from the 2022 attack on the crowded theatre in the city of Mariupol rose to 600, "
            "investigators said."), 600, None),
    # a date's digits inside the subject
    ("uk", ("Кількість загиблих унаслідок ракетного удару по будівлі Миколаївської обласної державної адміністрації "
            "29 березня зросла до 37, повідомила ДСНС."), 37, None),
    ("ar", ("ارتفعت حصيلة المجزرة التي ارتكبها الجيش الإسرائيلي بحق فلسطينيين كانوا ينتظرون شاحنات المساعدات عند دوار "
           "النابلسي جنوب غربي مدينة غزة إلى 112."), 112, None),
])
def test_a_toll_that_rose_after_a_subject_of_up_to_twenty_words_that_opens_its_sentence(pipeline, lang, text, killed,
                                                                                          injured):
    c = classify(pipeline, lang, text)
    assert (c.casualties.killed, c.casualties.injured) == (killed, injured), why(c)


@pytest.mark.parametrize("lang, text, killed, injured", [
    # not opening its sentence
    ("en", ("Four civilians were killed in the shelling of Donetsk, the mayor said, adding that the toll on the city's "
           "infrastructure was heavy as the number of damaged buildings reached 120."), 4, None),
    # clause punctuation inside: another subject
    ("en", ("The death toll is still unclear, officials said, while the number of displaced people has risen to "
           "12,000."), None, None),
    # a dash later in the sentence is no dateline's
    ("en", ("Nine people were killed on Monday — the toll of damaged homes and businesses in the eastern part of the "
            "town has reached 300."), 9, None),
    # a line break is no sentence's end
    ("en", ("Nine people were killed on Monday as the\ntoll of damaged homes and businesses in the eastern part of "
            "the town has reached 300."), 9, None),
    # an aside holding a unit of time: a period's toll; an aside a clause of its own follows
    ("en", ("Two people were killed. The death toll from the shelling of frontline villages in the southern Kherson "
            "region, in the past week alone, rose to 57, officials said."), 2, None),
    ("es", ("Murieron dos personas. La cifra de muertos del ataque, según las autoridades, no ha cambiado y la de "
            "desplazados ascendió a 3.000."), 2, None),
    # a comma that opens no aside (`asides`), an aside never closed
    ("en", ("Nine people were killed. The toll of the blockade on the economy has been severe, and the price of "
            "flour has jumped to 400 gourdes."), 9, None),
    ("es", ("Murieron dos personas. La cifra de muertos por el ataque, en cambio el número de desplazados ascendió "
            "a 500."), 2, None),
    # a second subject's head inside (`toll_subjects`)
    ("en", ("Nine people were killed. The death toll may still rise as the number of residents unaccounted for has "
            "reached 30."), 9, None),
    # the other kind's term inside: a second subject
    ("fr", ("Le bilan est de six morts et le nombre de blessés dans l'explosion survenue sur le marché central de "
           "Bamako est passé à 45, selon la police."), 6, None),
])
def test_a_long_toll_subject_is_read_only_where_it_is_one_subject_opening_its_sentence(pipeline, lang, text, killed,
                                                                                       injured):
    c = classify(pipeline, lang, text)
    assert (c.casualties.killed, c.casualties.injured) == (killed, injured), why(c)


@pytest.mark.parametrize("lang, text, killed", [
    ("en", ("Suspected jihadists killed at least 15 soldiers in an attack on a military post on Sunday. Burkina "
           "Faso has been battling an insurgency since 2015, and violence has killed more than 20,000 people."), 15),
    ("ar", ("قتل 22 شخصا بنيران الجيش الإسرائيلي في جنوب لبنان. ودخل اتفاق وقف إطلاق النار حيز التنفيذ في 27 "
           "نوفمبر الماضي، بعد حرب أسفرت عن مقتل أكثر من 4 آلاف شخص في لبنان."), 22),
    ("es", ("Un coche bomba mató a seis policías en Cauca. La violencia ha dejado más de 900 muertos en la "
           "región."), 6),
])
def test_a_war_toll_said_without_since_is_a_running_total_after_the_lead(pipeline, lang, text, killed):
    assert classify(pipeline, lang, text).casualties.killed == killed


@pytest.mark.parametrize("lang, text, killed", [
    ("en", ("A suicide bomber killed 5 people at a checkpoint in Mogadishu on Thursday. A month earlier, al-Shabaab "
           "fighters killed 27 people in an attack on a hotel."), 5),
    ("es", ("Al menos seis personas murieron en la explosión de un camión bomba en Cali. Horas antes, el derribo de "
           "un helicóptero de la Policía en Amalfi dejó 13 agentes muertos."), 6),
    ("uk", ("Росіяни вдарили по Одесі у вівторок, загинули четверо людей. Місяцем раніше внаслідок удару по порту "
           "загинули 16 людей."), 4),
])
def test_an_event_a_week_a_month_or_hours_earlier_is_an_earlier_toll(pipeline, lang, text, killed):
    assert classify(pipeline, lang, text).casualties.killed == killed


@pytest.mark.parametrize("lang, text, killed", [
    # the unit after the second of two linked numbers measures the first too
    ("uk", "Дрон атакував автомобіль, двоє чоловіків загинули. Загиблим було 47 і 52 роки.", 2),
    ("en", "A drone killed two men, aged 47 and 52 years.", 2),
    ("en", "The strike killed 12 and injured 30 people.", 12),
    # not a count right after its term: "12" is counted, "40 percent" measures something else
    ("en", "Russian strikes killed 12 and 40 percent of the city's homes lost power.", 12),
    ("en", "Shelling killed 5 and 3 days later another 2 died in hospital.", 5),
    # «delincuentes» is a word for people: «19 presuntos delincuentes muertos»
    ("es", "Un enfrentamiento en Culiacán dejó 19 presuntos delincuentes muertos.", 19),
])
def test_ages_of_the_dead_are_measures_and_suspects_are_people(pipeline, lang, text, killed):
    assert classify(pipeline, lang, text).casualties.killed == killed


@pytest.mark.parametrize("lang, text, injured", [
    ("es", "Al menos 16 personas resultaron heridas y más de 6.000 huyeron de sus hogares.", 16),
    ("en", "At least 20 people were wounded and more than 11,000 fled their homes.", 20),
])
def test_those_who_fled_are_another_fate(pipeline, lang, text, injured):
    assert classify(pipeline, lang, text).casualties.injured == injured


@pytest.mark.parametrize("lang, text, killed", [
    ("fr", ("Un premier bilan faisait état de 9 morts, bilan qui s'est ensuite alourdi à 14 morts. Dans une autre "
           "attaque, deux soldats ont été tués."), 14),
    ("ru", "Напомним, в 2024 году при атаке погибли более 20 человек. При обстреле Белгорода погибли пять человек.",
     5),  # the cue's clause gives no count: the whole sentence is the earlier toll
])
def test_an_opening_earlier_toll_cue_leaves_the_risen_toll_after_its_own_count(pipeline, lang, text, killed):
    assert classify(pipeline, lang, text).casualties.killed == killed
