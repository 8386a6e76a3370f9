"""The vocabulary of identifying details, in one place to review: French first, then English.

Upper-case constants in ``r"…|…"`` form are regular-expression alternations, matched without
regard to case unless their comment says otherwise; ``identifying.py`` assembles them into
patterns. Word sets are compared with lower-cased words unless written with capitals.
"""

from __future__ import annotations

import unicodedata
from importlib import resources


def fold(word: str) -> str:
    """Lower case without accents, so that « Helene » finds « hélène »."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _load_first_names() -> dict[str, int]:
    """Folded first name → how ambiguous it is: 0 only a name, 1 also a word, 2 also a place."""
    data = resources.files("intake.screening").joinpath("data").joinpath("first_names.txt")
    names: dict[str, int] = {}
    for line in data.read_text(encoding="utf-8").splitlines():
        name, _, mark = line.strip().partition(" ")
        if name and not name.startswith("#"):
            names[fold(name)] = max(names.get(fold(name), 0), mark.count("*"))
    return names


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _word_tuple(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The reviewed list of first names (data/first_names.txt), read once at import.
FIRST_NAMES = _load_first_names()


# Capitalised words that start sentences or follow a kinship word but are never names.
STOP_WORDS = _words(
    """
    Je Tu Il Elle On Nous Vous Ils Elles Le La Les Un Une Des Du De Et Mais Ou Où Donc Or Ni
    Car Puis Alors Quand Si Ce Cet Cette Ces Ça Cela Mon Ma Mes Ton Ta Tes Son Sa Ses Notre
    Nos Votre Vos Leur Leurs Au Aux En Dans Par Pour Sur Sous Avec Sans Chez Depuis Pendant
    Après Avant Aujourd Hier Demain Oui Non Merci Bonjour Bonsoir Madame Monsieur
    Mademoiselle Docteur Docteure Maître Professeur Mme Mlle Dr Pr Dieu Voilà Enfin Ensuite
    Parfois Souvent Toujours Jamais Comme Qui Que Quoi Pourquoi Comment Tout Tous Toute
    Toutes Rien Personne Moi Toi Lui Eux Même Bref Ah Oh Eh Bon Ben Lundi Mardi Mercredi
    Jeudi Vendredi Samedi Dimanche Janvier Février Mars Avril Mai Juin Juillet Août
    Septembre Octobre Novembre Décembre Noël Pâques Toussaint Covid Euros Instagram Facebook
    Twitter Snapchat Google Internet I The A An My Your His Her Our Their And But Or So Then
    When While If He She We They It You This That These Those In On At To Of For With From
    By Mr Mrs Ms Miss Doctor Yes No Thanks Hello Hi Dear Monday Tuesday Wednesday Thursday
    Friday Saturday Sunday January February March July August September October November
    December Christmas Easter
    """
)
# Capitals that look like a family name written in capitals but are the care system's acronyms.
ACRONYMS = _words("CHU CMP CMPP EPSM HP IME TCA TOC TSA TDAH SMS RER SNCF RSA AAH MDPH CAF")
# A listed first name that is also a word is not a name right after an article (« la Marine »);
# one that is also a place is not one after a preposition either (« à Florence », « in May »).
ARTICLES = _words("le la les l un une des du au aux the a an")
PREPOSITIONS = _words(
    """
    à a en de d dans vers depuis sur pour par jusqu chez in at to from of since until by on
    last next this early late mid every each
    """
)
NOT_NAMES_AFTER = _words("saint sainte st ste san santa sao são île ile")

CARE_WORDS = (
    r"centre[ \u00a0]+hospitalier(?:[ \u00a0]+(?:universitaire|r[ée]gional|sp[ée]cialis[ée]"
    r"|intercommunal|g[ée]n[ée]ral|d[ée]partemental))?|centre[ \u00a0]+m[ée]dico-psycho"
    r"(?:logique|-p[ée]dagogique)|h[ôo]pital|h[ôo]pitaux|polyclinique|clinique|maison[ \u00a0]+"
    r"de[ \u00a0]+sant[ée]|ehpad|hospital"
)
# As written, in capitals (« le CMP de Rezé »; « ch » is no hospital).
CARE_ACRONYMS = r"CHU|CHRU|CHR|CHS|CHI|CHG|CH|GHU|EPSM|CMPP|CMP|CATTP|CMPEA|IME|ITEP|SESSAD|UMD|HP"
CARE_QUALIFIERS = (
    r"psychiatrique|p[ée]dopsychiatrique|de[ \u00a0]+jour|de[ \u00a0]+nuit|universitaire"
    r"|priv[ée]e?|public|publique|g[ée]n[ée]ral|sp[ée]cialis[ée]|de[ \u00a0]+secteur"
)
# Psychiatric hospitals known by their name alone (capitalised as written).
NAMED_HOSPITALS = (
    r"Pitié-Salpêtrière|Salpêtrière|Vinatier|Ville-[ÉE]vrard|Maison-Blanche|Paul-Guiraud"
    r"|Charles-Perrens|Guillaume-Régnier|Montperrin|Sainte-Anne"
)
# As written: an English care place is named before these words (« the Maudsley Hospital »).
CARE_WORDS_EN_CAPITALISED = r"Hospital|Clinic|Infirmary|Medical Cent|Health Cent"
CARE_WORDS_EN = (
    r"hospital|clinic|infirmary|medical[ \u00a0]+cent(?:re|er)|health[ \u00a0]+cent(?:re|er)"
)

SCHOOL_WORDS = (
    r"[ée]cole|coll[èe]ge|lyc[ée]e|universit[ée]|university|facult[ée]|fac|groupe[ \u00a0]+"
    r"scolaire|institution|conservatoire"
)
SCHOOL_ACRONYMS = r"IUT|INSA|IEP"  # as written
SCHOOL_QUALIFIERS = (
    r"maternelle|primaire|[ée]l[ée]mentaire|priv[ée]e?|publique?|professionnel(?:le)?|agricole"
    r"|g[ée]n[ée]ral|technique|technologique|h[ôo]telier|international|catholique|polyvalent"
)
SCHOOL_WORDS_EN = (  # capitalised, after the school's name
    r"(?:(?:Primary|Secondary|High|Middle|Grammar|Junior|Infant|Elementary|Comprehensive)"
    r"[ \u00a0]+)?(?:School|Academy|College|University)"
)

STREETS = (
    r"rue|avenue|av\.|boulevard|bd|bld|bvd|impasse|all[ée]e|quai|faubourg|fbg|rond-point|chemin"
    r"|square|place|route|passage|r[ée]sidence|lotissement|sentier|esplanade|parvis|promenade"
    r"|hameau|ruelle|venelle|mont[ée]e|chauss[ée]e"
)
# After these a street name may be written in lower case; after the others (« 1 place de
# parking », « 2 chemins ») it needs a capital to count.
STREETS_ALWAYS = _words(
    """
    rue avenue av. boulevard bd bld bvd impasse allée allee quai faubourg fbg rond-point
    """
)
# Named without a number: the unambiguous ones only (« à la place de Julie » is no address).
STREETS_NAMED = r"rue|avenue|boulevard|bd|impasse|all[ée]e|quai|r[ée]sidence|lotissement"
STREETS_EN = (  # capitalised, after the street's name
    r"Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Close|Way|Crescent|Terrace|Grove|Gardens|Court"
    r"|Place|Square|Row|Hill"
)
# Words that end a street name written in lower case (« au 12 rue des lilas depuis… »).
ADDRESS_STOPS = (
    r"et|à|a|où|ou|qui|que|qu|je|j|tu|il|elle|on|nous|vous|ils|elles|avec|pour|chez|dans"
    r"|depuis|pendant|quand|mais|car|donc|puis|alors|est|était|c|ce|en|y|ne|n|se|s|m|me|te|près"
    r"|juste|and|the|in|at|where|when|with|since|is|was|to|for|near|but|so|then|it|i|we|you"
    r"|he|she|they"
)
ADDRESS_CONNECTORS = _words("de du des la le les l' l’ d' d’ aux au sur sous")

MONTHS_FR = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre"
    r"|d[ée]cembre|janv\.|f[ée]vr\.|avr\.|juil\.|sept\.|oct\.|nov\.|d[ée]c\."
)
MONTHS_EN = (
    r"january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan\.?|feb\.?|mar\.?|apr\.?|jun\.?|jul\.?|aug\.?|sept?\.?|oct\.?|nov\.?|dec\.?"
)
BIRTH = r"n[ée]e?s?|naissance|anniversaire|born|birthday|date[ \u00a0]+of[ \u00a0]+birth|ddn|dob"

TLDS = r"fr|com|org|net|eu|be|ch|ca|io|info|blog|tv|fm|app|xyz|site|online|uk|lu|us|gouv"
SOCIAL_NETWORKS = (
    r"insta(?:gram)?|snap(?:chat)?|tik[ ]?tok|twitter|facebook|fb|discord|twitch|youtube"
    r"|bluesky|mastodon|threads|pseudo|username|handle"
)
IBAN_LENGTHS = {
    "FR": 27, "MC": 27, "BE": 16, "LU": 20, "CH": 21, "DE": 22, "ES": 24, "IT": 27, "PT": 25,
    "NL": 18, "GB": 22, "IE": 22, "AT": 20, "PL": 28, "RO": 24, "MA": 28, "TN": 24, "SN": 28,
    "CI": 28,
}  # fmt: skip
# The help lines printed on every thank-you page (intake.help_lines): never anyone's number.
HELP_LINE_NUMBERS = frozenset({"0972394050", "0800235236", "0145394000"})

POSSESSIVES = r"mon|ma|notre|son|sa|leur|votre|ton|ta|my|our|his|her|their|your"
KIN = (
    r"fils|fille|fr[èe]re|s[œo]e?ur|mari|femme|[ée]pouse|[ée]poux|compagnon|compagne|conjointe?"
    r"|copain|copine|amie?|meilleure?[ \u00a0]+amie?|petite?[ \u00a0]+amie?|petit-fils|petite-fille"
    r"|neveu|ni[èe]ce|cousine?|oncle|tante|parrain|marraine|filleule?|beau-p[èe]re|belle-m[èe]re"
    r"|beau-fr[èe]re|belle-s[œo]e?ur|demi-fr[èe]re|demi-s[œo]e?ur|grand-p[èe]re|grand-m[èe]re"
    r"|p[èe]re|m[èe]re|maman|papa|fianc[ée]e?|ex-mari|ex-femme|ex-compagnon|ex-compagne|ex"
    r"|b[ée]b[ée]|voisine?|coll[èe]gue|coloc(?:ataire)?|enfant|a[îi]n[ée]e?|cadette?|pote"
    r"|ch[ée]rie?"
    r"|son|daughter|husband|wife|partner|boyfriend|girlfriend|brother|sister|mum|mom|mother|dad"
    r"|father|friend|best[ \u00a0]+friend|cousin|nephew|niece|uncle|aunt|grandson|granddaughter"
    r"|grandmother|grandfather|grandma|grandpa|fianc[ée]e?|baby|neighbou?r|colleague|flatmate"
    r"|roommate|kid|child|stepson|stepdaughter|stepfather|stepmother"
)
# People who care for the writer: named by a first name or a family name.
CARERS = (
    r"psychiatre|psy|psychologue|m[ée]decin|g[ée]n[ée]raliste|th[ée]rapeute|infirmi[èe]re?"
    r"|infirmier|[ée]ducat(?:eur|rice)|assistante?[ \u00a0]+sociale?|kin[ée]|orthophoniste"
    r"|psychanalyste|p[ée]dopsychiatre|r[ée]f[ée]rente?|tut(?:eur|rice)|curat(?:eur|rice)"
    r"|avocate?|patronne?|cheffe?|prof|ma[îi]tresse|institut(?:eur|rice)"
    r"|therapist|psychiatrist|psychologist|counsell?or|doctor|gp|nurse|carer|caseworker"
    r"|social[ \u00a0]+worker|teacher|boss|key[ \u00a0]+worker|support[ \u00a0]+worker"
)
KIN_ADJECTIVES = (
    r"petite?|grande?|ancienne?|nouveau|nouvelle|cher|ch[èe]re|premi[èe]re?|deuxi[èe]me"
    r"|seconde?|derni[èe]re?|jeune|plus[ \u00a0]+jeune|little|older|younger|eldest|elder|big"
    r"|baby|twin|late|new|old|best"
)
KIN_AGES = (
    r"a[îi]n[ée]e?|cadette?|jumeau|jumelle|de[ \u00a0]+\d{1,2}[ \u00a0]+ans"
    r"|d['’]\d{1,2}[ \u00a0]+ans|[âa]g[ée]e?[ \u00a0]+de[ \u00a0]+\d{1,2}[ \u00a0]+ans"
    r"|aged[ \u00a0]+\d{1,2}"
)
KIN_PLURAL = (
    r"(?:mes|nos|ses|leurs|vos|tes|my|our|his|her|their)(?:[ \u00a0]+(?:deux|trois|quatre|two"
    r"|three|four|petits|grands|little))?[ \u00a0]+(?:enfants|fils|filles|fr[èe]res|s[œo]e?urs"
    r"|amie?s|petits-enfants|neveux|cousine?s|jumeaux|jumelles|sons|daughters|kids|children"
    r"|brothers|sisters|friends|grandchildren|twins)"
)
INTRODUCTIONS = (
    r"je[ \u00a0]+m['’]appel(?:le|ais)|je[ \u00a0]+me[ \u00a0]+nomme|moi[ \u00a0]+c['’]est"
    r"|my[ \u00a0]+name[ \u00a0]+is|call[ \u00a0]+me|i['’]m[ \u00a0]+called|appelons-(?:le|la)"
    r"|on[ \u00a0]+l['’]appellera|pr[ée]nomm[ée]e?|surnomm[ée]e?|un[ \u00a0]+certain"
    r"|une[ \u00a0]+certaine|named|called|s['’]appel(?:le|ait|aient)|sign[ée]e?"
)
CIVILITIES = (
    r"docteure?|doctoresse|madame|monsieur|mademoiselle|professeure?|ma[îi]tre|doctor|professor"
)
CIVILITY_ABBREVIATIONS = (  # as written, case and all
    r"Dre?\.?|DR\.?|Pr\.?|Mme\.?|MME|Mlle\.?|MLLE|M\.|Mr\.?|MR\.?|Mrs\.?|Ms\.?|Miss|Me|Prof\.?"
)

# Where rules may start, as lower-case words looked for at the start of a word: Python's ``re``
# scans slowly for case-insensitive alternations, ``str.find`` scans fast. Acronyms and
# abbreviations (CARE_ACRONYMS, CIVILITY_ABBREVIATIONS…) are looked for as written instead.
CARE_STARTS = _word_tuple("centre hôpital hopital polyclinique clinique maison ehpad hospital")
SCHOOL_STARTS = _word_tuple(
    """
    école ecole collège college lycée lycee université universite university faculté faculte
    fac groupe institution conservatoire
    """
)
NAMED_HOSPITAL_STARTS = _word_tuple(
    """
    pitié salpêtrière vinatier ville-évrard ville-evrard maison-blanche paul-guiraud
    charles-perrens guillaume-régnier montperrin sainte-anne
    """
)
STREET_STARTS = _word_tuple(
    """
    rue avenue boulevard bd impasse allée allee quai résidence residence lotissement
    """
)
BIRTH_STARTS = (  # « ne le », « ne en »: « né » typed without its accent
    *_word_tuple("né née nés nées nee naissance anniversaire born birthday date ddn dob"),
    *("ne le", "ne en", "nee le", "nee en"),
)
SOCIAL_STARTS = _word_tuple(
    """
    insta snap tik twitter facebook fb discord twitch youtube bluesky mastodon threads
    pseudo username handle
    """
)
CIVILITY_STARTS = _word_tuple(
    "docteur doctoresse madame monsieur mademoiselle professeur maître maitre doctor professor"
)
# Capitalised English months start dates (« May 4, 1990 »), looked for as written.
MONTHS_EN_CAPITALISED = r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
INTRODUCTION_STARTS = (
    "je m'appel", "je m’appel", "je me nomme", "moi c'est", "moi c’est", "my name is", "call me",
    "i'm called", "i’m called", "appelons", "on l'appell", "on l’appell", "prénomm", "prenomm",
    "surnomm", "un certain", "une certaine", "named", "called", "s'appel", "s’appel", "signé",
    "signe", "le petit", "la petite", "le jeune", "la jeune",
)  # fmt: skip
