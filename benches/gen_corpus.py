#!/usr/bin/env python3
"""Generate a deterministic synthetic corpus of plain-text news commentary for benchmarks.

    python3 benches/gen_corpus.py --out DIR --mb 200 --seed 1

Layout: DIR/site-NN/YYYY/MM/article-NNNNNN.txt, 100-300 files per folder. Each file looks like
what a scraper saves from a news or opinion page: optional page chrome on top, a headline, a
blank line, a dateline in one of several formats, an optional byline, 4-15 paragraphs (with an
occasional section break of two blank lines) and optional chrome at the bottom. Articles are
2-12 KB of UTF-8 text built from word lists and sentence templates written for this script
(international-relations vocabulary, abbreviations such as U.S., Mr., Jan. 5, decimals, curly
quotes with speakers), so a sentence splitter has realistic work to do.

About 0.5% of the files are bad on purpose (empty, binary with NUL bytes, whitespace only,
windows-1252 instead of UTF-8) and about 1% are byte-exact duplicates of earlier articles.

The output depends only on --seed and --mb (random.Random(seed); no clock, no hash order).
Generation stops once the bytes written reach --mb * 10^6. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import time

# ---------------------------------------------------------------------------------------------
# Vocabulary (written for this script)
# ---------------------------------------------------------------------------------------------

# (name as used mid-sentence, adjective, capital, region for breadcrumbs)
COUNTRIES = [
    (("the United States", "the U.S.", "the U.S."), "American", "Washington", "Americas"),
    ("China", "Chinese", "Beijing", "Asia"),
    ("Japan", "Japanese", "Tokyo", "Asia"),
    ("South Korea", "South Korean", "Seoul", "Asia"),
    ("North Korea", "North Korean", "Pyongyang", "Asia"),
    ("India", "Indian", "New Delhi", "Asia"),
    ("Pakistan", "Pakistani", "Islamabad", "Asia"),
    ("Bangladesh", "Bangladeshi", "Dhaka", "Asia"),
    ("Indonesia", "Indonesian", "Jakarta", "Asia"),
    ("Vietnam", "Vietnamese", "Hanoi", "Asia"),
    ("the Philippines", "Philippine", "Manila", "Asia"),
    ("Malaysia", "Malaysian", "Kuala Lumpur", "Asia"),
    ("Thailand", "Thai", "Bangkok", "Asia"),
    ("Singapore", "Singaporean", "Singapore", "Asia"),
    ("Australia", "Australian", "Canberra", "Asia"),
    ("New Zealand", "New Zealand", "Wellington", "Asia"),
    ("Russia", "Russian", "Moscow", "Europe"),
    ("Ukraine", "Ukrainian", "Kyiv", "Europe"),
    ("Germany", "German", "Berlin", "Europe"),
    ("France", "French", "Paris", "Europe"),
    (("the United Kingdom", "the U.K.", "Britain"), "British", "London", "Europe"),
    ("Italy", "Italian", "Rome", "Europe"),
    ("Spain", "Spanish", "Madrid", "Europe"),
    ("Poland", "Polish", "Warsaw", "Europe"),
    ("Hungary", "Hungarian", "Budapest", "Europe"),
    ("Turkey", "Turkish", "Ankara", "Europe"),
    ("Greece", "Greek", "Athens", "Europe"),
    ("Sweden", "Swedish", "Stockholm", "Europe"),
    ("Finland", "Finnish", "Helsinki", "Europe"),
    ("Norway", "Norwegian", "Oslo", "Europe"),
    ("the Netherlands", "Dutch", "The Hague", "Europe"),
    ("Serbia", "Serbian", "Belgrade", "Europe"),
    ("Iran", "Iranian", "Tehran", "Middle East"),
    ("Iraq", "Iraqi", "Baghdad", "Middle East"),
    ("Israel", "Israeli", "Jerusalem", "Middle East"),
    ("Saudi Arabia", "Saudi", "Riyadh", "Middle East"),
    ("Qatar", "Qatari", "Doha", "Middle East"),
    ("the United Arab Emirates", "Emirati", "Abu Dhabi", "Middle East"),
    ("Egypt", "Egyptian", "Cairo", "Middle East"),
    ("Jordan", "Jordanian", "Amman", "Middle East"),
    ("Lebanon", "Lebanese", "Beirut", "Middle East"),
    ("Syria", "Syrian", "Damascus", "Middle East"),
    ("Yemen", "Yemeni", "Sanaa", "Middle East"),
    ("Nigeria", "Nigerian", "Abuja", "Africa"),
    ("Kenya", "Kenyan", "Nairobi", "Africa"),
    ("Ethiopia", "Ethiopian", "Addis Ababa", "Africa"),
    ("South Africa", "South African", "Pretoria", "Africa"),
    ("Ghana", "Ghanaian", "Accra", "Africa"),
    ("Sudan", "Sudanese", "Khartoum", "Africa"),
    ("Mali", "Malian", "Bamako", "Africa"),
    ("Morocco", "Moroccan", "Rabat", "Africa"),
    ("Brazil", "Brazilian", "Brasilia", "Americas"),
    ("Mexico", "Mexican", "Mexico City", "Americas"),
    ("Argentina", "Argentine", "Buenos Aires", "Americas"),
    ("Colombia", "Colombian", "Bogota", "Americas"),
    ("Venezuela", "Venezuelan", "Caracas", "Americas"),
    ("Chile", "Chilean", "Santiago", "Americas"),
    ("Canada", "Canadian", "Ottawa", "Americas"),
    ("Peru", "Peruvian", "Lima", "Americas"),
]

ORGS = [
    "the U.N. Security Council", "the United Nations", "NATO", "the E.U.", "the European Union",
    "ASEAN", "the African Union", "the I.M.F.", "the International Monetary Fund",
    "the World Bank", "the W.T.O.", "the Gulf Cooperation Council", "the G20", "the G-7",
    "the OPEC+ group", "the Arab League", "the U.N. General Assembly", "the IAEA",
    "the Shanghai Cooperation Organisation", "the Organization of American States",
    "the European Commission", "the U.S. State Department", "the Pentagon", "the Kremlin",
    "the U.N. refugee agency", "the World Food Programme",
]

THINK_TANKS = [
    "the Halvorsen Institute", "the Centre for Maritime Strategy", "the Okafor Foundation",
    "the Baltic Policy Forum", "the Meridian Group", "the Institute for Regional Security",
    "Crossbridge Analytics", "the Pacific Futures Council", "the Lindqvist Centre",
    "the Council on Trade and Security", "Tessaro Research Corp.", "Northgate Partners Inc.",
]

FIRST_M = [
    "Ahmed", "Daniel", "Hiroshi", "Ivan", "Jean-Luc", "Kwame", "Lars", "Mateo", "Nikolai",
    "Omar", "Pedro", "Rahul", "Sergei", "Tomasz", "Viktor", "Wei", "Yusuf", "Andreas", "Bruno",
    "Chidi", "Dmitri", "Emre", "Farid", "Gustavo", "Hamid", "Joon-ho", "Kofi", "Luis", "Marek",
    "Nasser", "Oleksandr", "Paolo", "Ravi", "Stefan", "Tariq", "Arjun", "Bashir", "Carlos",
]
FIRST_F = [
    "Amara", "Beatriz", "Chiara", "Dilnoza", "Elena", "Fatima", "Greta", "Hana", "Ingrid",
    "Jana", "Keiko", "Leila", "Maria", "Nadia", "Olga", "Priya", "Rosa", "Sakura", "Tamar",
    "Ursula", "Valentina", "Wanjiru", "Ximena", "Yasmin", "Zeynep", "Aiko", "Birgit", "Camila",
    "Dina", "Esther", "Folake", "Helga", "Isabel", "Jin-ah", "Katarzyna", "Lucia", "Mei",
]
LAST = [
    "Abadi", "Brandt", "Castellano", "Demir", "Eriksen", "Fonseca", "Gallagher", "Haddad",
    "Ishikawa", "Jovanovic", "Kariuki", "Lindgren", "Mbeki", "Nakamura", "Okonjo", "Petrov",
    "Quintero", "Rahman", "Sokolov", "Takahashi", "Usman", "Varga", "Wozniak", "Yilmaz",
    "Zhang", "Alvarez", "Bergström", "Chaudhry", "Dubois", "Esposito", "Farouk", "Grünewald",
    "Hoang", "Ibrahim", "Janssen", "Kowalski", "Lopez", "Moreau", "Nguyen", "Osei", "Park",
    "Rossi", "Santos", "Tanaka", "Uddin", "Van der Berg", "Wang", "Yamada", "Ziegler", "Adeyemi",
    "Banerjee", "Cohen", "Dlamini", "Eze", "Ferreira", "Gupta", "Horvath", "Iqbal", "Kim",
]
# Names with accents that windows-1252 can encode (for the cp1252 bad files).
ACCENTED = ["José Muñoz", "François Lefèvre", "Jürgen Müller", "Zoë Ågren", "Inês Conceição",
            "Søren Kjær", "Renée Dufresne", "Gonçalo Antão", "Björn Hölzl", "Mónica Peña"]

TITLES = [
    "President", "Prime Minister", "Foreign Minister", "Defence Minister", "Defense Secretary",
    "Finance Minister", "Trade Minister", "Interior Minister", "Ambassador", "Vice President",
    "Secretary of State", "Deputy Foreign Minister", "Gen.", "Lt. Gen.", "Adm.", "Sen.", "Rep.",
    "Gov.", "Dr.", "Prof.", "Maj. Gen.", "Col.", "Chancellor", "Speaker", "Opposition leader",
]

JOBS = [
    "a senior fellow at {TANK}", "a former diplomat", "an analyst at {TANK}",
    "the head of the parliamentary foreign affairs committee", "a spokesperson for the ministry",
    "a professor of international relations in {CITY}", "the chief negotiator",
    "a retired ambassador", "an adviser to the prime minister", "a researcher at {TANK}",
    "the deputy head of mission in {CITY}", "an economist at {TANK}",
]

TOPICS = [
    "the trade talks", "the border dispute", "the sanctions regime", "the nuclear deal",
    "the maritime boundary", "the ceasefire", "the peace process", "the arms embargo",
    "the refugee crisis", "the energy partnership", "the pipeline project", "the debt talks",
    "the security pact", "the fishing rights dispute", "the visa row", "the tariff war",
    "the grain corridor", "the election dispute", "the water-sharing treaty",
    "the defence procurement plan", "the climate pledge", "the currency swap line",
    "the port agreement", "the troop withdrawal", "the airspace violations",
    "the prisoner exchange", "the cyber-security accord", "the rare-earths export ban",
    "the bailout package", "the humanitarian corridor", "the investment screening rules",
]
TOPIC_SHORT = [
    "trade", "sanctions", "the border", "energy", "security", "debt", "migration", "tariffs",
    "the ceasefire", "the nuclear file", "the South China Sea", "Arctic shipping", "grain",
    "defence spending", "aid", "the election", "water", "rare earths", "the peace talks",
    "semiconductors", "fisheries", "the pipeline", "climate finance", "the embassy row",
]
AGREEMENTS = [
    "a framework agreement", "a memorandum of understanding", "a joint declaration",
    "a 10-year trade deal", "a defence co-operation pact", "an extradition treaty",
    "a currency swap agreement", "a fisheries accord", "a border protocol",
    "a free-trade agreement", "a status-of-forces agreement", "a grain export deal",
]
EVENTS = [
    "talks collapsed over {TOPIC}", "a patrol boat was detained near the disputed islands",
    "{C2} expelled three diplomats", "the two sides traded accusations at {ORG}",
    "a drone strike killed {SMALLNUM} soldiers", "a disputed election triggered mass protests",
    "{C2} recalled its ambassador", "tariffs of {PCT} were imposed on steel",
    "the previous government fell", "a cross-border raid left {SMALLNUM} people dead",
]
SAY = [
    "said", "said", "said", "said", "told reporters", "warned", "added", "noted", "insisted",
    "argued", "said in a statement", "told parliament", "wrote on social media", "conceded",
    "told a news conference", "said on Tuesday", "said late on Friday", "acknowledged",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
# AP-style abbreviations for dates in running text.
MONTHS_AP = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
             "Nov.", "Dec."]
MONTHS_SHORT = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "Jun.", "Jul.", "Aug.", "Sep.", "Oct.",
                "Nov.", "Dec."]
STATES = ["Ohio", "Texas", "Calif.", "N.Y.", "Fla.", "Mass.", "Ga.", "Ariz.", "Pa.", "Mich."]
ADJ = [
    "fragile", "cautious", "unprecedented", "limited", "symbolic", "long-awaited",
    "controversial", "modest", "sweeping", "stalled", "tentative", "hard-won", "shaky",
    "ambitious", "decisive", "belated", "narrow", "broad", "open-ended", "costly",
]
NOUNS = [
    "deal", "truce", "agreement", "compromise", "package", "framework", "plan", "offer",
    "proposal", "roadmap", "settlement", "initiative",
]
ECON = ["inflation", "growth", "unemployment", "the budget deficit", "public debt",
        "the current-account surplus", "exports", "foreign direct investment", "remittances",
        "military spending", "oil output", "food prices"]

REGIONS_SUB = ["Asia", "Europe", "Middle East", "Africa", "Americas", "World", "Politics",
               "Economy", "Diplomacy", "Security", "Analysis", "Columnists", "Editorials"]

SITE_NAMES = ["The Daily Ledger", "Meridian Post", "The Frontier Review", "Global Affairs Desk",
              "The Harbour Times", "Capital Observer", "The Continental", "World Brief",
              "The Eastern Courier", "Atlas Commentary", "The Straits Monitor", "Policy Wire"]

# ---------------------------------------------------------------------------------------------
# Templates. {SLOT} names are filled by the functions in SLOTS below.
# ---------------------------------------------------------------------------------------------

QUOTE_BODIES = [
    "We will not accept any change to the status quo by force",
    "Our position on {TOPIC} has not changed",
    "The door to dialogue remains open, but patience is not unlimited",
    "This is a matter for the people of {C} and nobody else",
    "Nobody wins a trade war. Everybody loses something",
    "We have been very clear with our partners in {CITY}",
    "There is no military solution to this conflict",
    "The numbers simply do not add up",
    "We expect {C2} to honour its commitments",
    "It is too early to speak of a breakthrough",
    "Sanctions have a cost, and we are prepared to pay it",
    "This agreement is good for {C} and good for the region",
    "We are not going to negotiate in public",
    "The next 48 hours will be decisive",
    "Frankly, we were surprised by the tone of the statement",
    "Nobody in {CITY} wants a war, but nobody wants to look weak either",
    "We have asked for clarification through diplomatic channels",
    "The region cannot afford another {ADJ} {NOUN}",
    "Our troops will stay as long as they are needed",
    "Growth of {PCT} is not enough to create jobs for young people",
    "I told him directly that this was unacceptable",
    "We are ready to sign tomorrow if the other side is serious",
    "The U.S. has been a reliable partner, and we expect that to continue",
    "This is not about {TOPIC_SHORT}. It is about trust",
    "We will respond at a time and place of our choosing",
    "Every option remains on the table",
]
QUESTION_BODIES = [
    "Who exactly is going to pay for this",
    "Why should {C} trust them now",
    "What is the alternative",
    "How many more rounds of talks do we need",
    "Is anyone in {CITY} actually listening",
    "Where does this end",
]

STATEMENTS = [
    "{C} and {C2} signed {AGREEMENT} in {CITY} on {DATE}, ending {SMALLNUM} years of talks.",
    "{ORG} said {C}'s economy grew {PCT} in the third quarter, down from {PCT} a year earlier.",
    "Analysts at {TANK} put the cost at {MONEY} over five years.",
    "The U.S. Treasury imposed sanctions on {SMALLNUM} {CADJ} entities on {DATE}.",
    "{PERSON} arrived in {CITY} at {TIME} local time for two days of talks.",
    "Relations between {C} and {C2} have been strained since {YEAR}, when {EVENT}.",
    "Critics, including Sen. {LAST} of {STATE}, say the plan goes too far.",
    "According to {ORG}, about {BIGNUM} people have fled the fighting since {MONTH}.",
    "{SHORT}, {AGE}, has held the post since {YEAR}.",
    "The vote at {ORG} was {SMALLNUM} to 3, with {C} and {C2} abstaining.",
    "Exports to the E.U. fell by {PCT}, while imports from the U.K. rose {PCT}.",
    "The figure was later revised to {DEC} percent vs. an earlier estimate of {DEC} percent.",
    "Shares of {TANK_CORP} fell {DEC}% in early trading in {CITY}.",
    "The meeting ended at {TIME} without a joint statement.",
    "{C} has deployed roughly {BIGNUM} troops along the border, according to satellite images.",
    "The ministry did not respond to a request for comment.",
    "A spokesperson for {ORG} declined to comment on {TOPIC}.",
    "{ORG} is expected to discuss {TOPIC} at its next session on {DATE}.",
    "The {CADJ} central bank raised its main rate by {BP} basis points to {DEC} percent.",
    "{C}'s {ECON} reached {PCT} last year, the highest since {YEAR}.",
    "Talks are due to resume in {CITY} on {DATE}.",
    "Gen. {LAST}, the army chief, met his {CADJ} counterpart in {CITY} on {DATE}.",
    "The {ADJ} {NOUN} was announced shortly after midnight, at 12:05 a.m. local time.",
    "Neither side has published the full text of the agreement.",
    "The proposal, first floated by Mr. {LAST} in {YEAR}, would cost about {MONEY}.",
    "A senior official, speaking on condition of anonymity, said the talks were \u201cin a difficult phase.\u201d",
    "In {YEAR}, {C} accounted for {PCT} of {C2}'s imports, e.g. machinery and fuel.",
    "{C} ranks No. {SMALLNUM} on the index, behind {C2}.",
    "Some {BIGNUM} people attended the rally in {CITY} on Saturday, police said.",
    "The ruling party won {SMALLNUM} of the 120 seats, i.e. just short of a majority.",
    "The pipeline would carry {DEC} billion cubic metres of gas a year.",
    "Mrs. {LAST} and Dr. {LAST} co-chaired the session at the St. James hotel.",
    "{ORG} approved a {MONEY} loan on {DATE}, subject to reforms.",
    "The U.N. estimates that {PCT} of the population needs humanitarian aid.",
    "Officials in {CITY} say the shipment left port on {DATE} at {TIME}.",
    "Both governments describe the relationship as a \u201ccomprehensive strategic partnership.\u201d",
    "The embassy in {CITY} was closed for three days last week.",
    "{PERSON} is due to visit {CITY} in {MONTH}, the first such trip since {YEAR}.",
    "The decision came after a phone call between {SHORT} and the {CADJ} leadership.",
    "Trade between the two countries was worth {MONEY} in {YEAR}.",
    "Prices for wheat rose {PCT} in the week to {DATE}.",
    "The survey, conducted by {TANK} in {MONTH}, has a margin of error of {DEC} points.",
]

OPINIONS = [
    "It is hard to see how {C} benefits from {TOPIC}.",
    "The lesson for {C} is clear.",
    "Few in {CITY} believe that.",
    "What happens next depends largely on {SHORT}.",
    "This is not a new argument.",
    "History offers little comfort here.",
    "{C} cannot afford another {ADJ} {NOUN}.",
    "In short, {TOPIC} is back on the agenda.",
    "Is this the end of {TOPIC}? Probably not.",
    "The answer, for now, is no.",
    "That is the optimistic reading.",
    "There is a darker possibility, too.",
    "None of this was inevitable.",
    "Yet the {ADJ} {NOUN} leaves the hardest questions unanswered.",
    "The real test will come in {MONTH}, when {TOPIC} returns to {ORG}.",
    "Washington, for its part, has said little.",
    "For {C2}, the calculation is different.",
    "Diplomacy, after all, is the art of the possible.",
    "Still, the timing is curious.",
    "Put simply, {C} has run out of good options.",
    "It would be a mistake to read too much into one vote.",
    "But the politics at home are moving in the other direction.",
    "And yet... the status quo has proved remarkably durable.",
    "The {ADJ} mood in {CITY} tells its own story.",
    "Markets, at least, seem unconvinced.",
    "Consider the numbers: {ECON} stands at {PCT}, and the currency has lost a fifth of its value.",
    "The {CADJ} government \u2014 already weakened by {TOPIC} \u2014 has little room to manoeuvre.",
    "Whether {C} can hold that line is another matter.",
    "That, in the end, may be the point.",
    "Nobody should be surprised (least of all the diplomats who drafted the text).",
    "Three things stand out: the timing, the venue and the silence of {C2}.",
    "The U.S. is no longer the only power that matters in the region.",
    "The question is whether {ORG} can still play the role it once did.",
    "{SHORT}'s critics call this naive; supporters call it realism.",
    "The {ADJ} {NOUN}, in other words, is a beginning rather than an end.",
    "Why does this matter? Because {TOPIC} sets a precedent.",
]

QUOTE_SENTENCES = [
    "\u201c{QUOTE},\u201d said {PERSON}.",
    "\u201c{QUOTE},\u201d {SHORT} {SAY}.",
    "\u201c{QUOTE},\u201d said {PERSON}, {JOB}.",
    "{PERSON} {SAY}: \u201c{QUOTE}.\u201d",
    "\u201c{QUESTION}?\u201d asked {PERSON}.",
    "\u201c{QUOTE}. {QUOTE},\u201d {SHORT} said.",
    "{PERSON} warned that \u201c{QUOTE_LC}.\u201d",
    "\u201c{QUOTE},\u201d said {PERSON}, who {WHO}. \u201c{QUOTE}.\u201d",
    "\u201c{QUOTE},\u201d {NAME}, {JOB}, told {SITE}.",
    "\"{QUOTE},\" said {PERSON}.",
    "In a statement, {ORG} said: \u201c{QUOTE}.\u201d",
    "\u201c{QUOTE}!\u201d {SHORT} told supporters in {CITY}.",
    "Asked about {TOPIC}, {SHORT} replied: \u201c{QUOTE}.\u201d",
]
WHO = [
    "led the talks in {CITY}", "took office in {YEAR}", "has long opposed {TOPIC}",
    "spent a decade as ambassador to {C2}", "faces re-election in {MONTH}",
    "returned from {CITY} on {DATE}",
]

HEADLINES = [
    "{C} and {C2} edge closer to deal on {TOPIC_SHORT}",
    "Why {C}'s gamble on {TOPIC_SHORT} matters",
    "{SHORTNAME} warns {C2} over {TOPIC_SHORT}",
    "Opinion: The real cost of {TOPIC}",
    "{ORG} split over {TOPIC_SHORT} as {C} digs in",
    "What {CITY} gets wrong about {C2}",
    "The {ADJ} {NOUN} that could reshape {REGION}",
    "{C} bets on {TOPIC_SHORT} as pressure mounts",
    "Analysis: {C}'s new approach to {TOPIC_SHORT}",
    "Inside the talks: how {C} and {C2} reached a {ADJ} {NOUN}",
    "{SHORTNAME}'s visit to {CITY} raises more questions than answers",
    "Is {TOPIC} finally over?",
    "{C} growth slows to {PCT} as {TOPIC_SHORT} weighs",
    "Five things to watch as {ORG} meets on {TOPIC_SHORT}",
    "{CADJ} leader faces test over {TOPIC_SHORT}",
    "The quiet rise of {C} in {REGION}",
]

DATELINES = [
    "{MONTHF} {D}, {Y} {H12}:{MI} {AMPM}{NCOM} comments{VIEWS}",
    "{MONTHF} {D}, {Y} {H12}:{MI} {AMPM}",
    "{MONTHS} {D}, {Y}",
    "{D} {MONTHF} {Y}",
    "{Y}-{MM}-{DD}T{HH}:{MI}:00Z",
    "Updated {MONTHF} {D}, {Y} {H12}:{MI} {AMPM}",
    "Published {DAY}, {MONTHF} {D}, {Y}",
    "{DAY}, {D} {MONTHF} {Y}, {HH}.{MI} GMT",
    "Posted on {MONTHF} {D}, {Y} by {BYLINENAME}",
    "{MM}/{DD}/{Y}",
    "{CITYUP} \u2014 {MONTHS} {D}, {Y}",
    "Last updated: {D} {MONTHF} {Y} {HH}:{MI} IST",
]

CHROME_TOP = [
    "Skip to content", "Home \u00bb Opinion \u00bb {REGION}", "Home \u203a World \u203a {REGION}",
    "Menu", "Search", "Subscribe", "Toggle navigation", "Sign in", "Advertisement",
    "News / {REGION}", "Breaking: {C} markets closed for holiday",
]


def _compile(tpl):
    """'a {X} b' -> ('a ', 'X', ' b'): even items literal text, odd items slot names."""
    return tuple(re.split(r"\{([A-Z_0-9]+)\}", tpl))


def _compile_all(lst):
    return [_compile(t) for t in lst]


C_QUOTE_BODIES = _compile_all(QUOTE_BODIES)
C_QUESTION_BODIES = _compile_all(QUESTION_BODIES)
C_STATEMENTS = _compile_all(STATEMENTS)
C_OPINIONS = _compile_all(OPINIONS)
C_QUOTE_SENTENCES = _compile_all(QUOTE_SENTENCES)
C_WHO = _compile_all(WHO)
C_EVENTS = _compile_all(EVENTS)
C_JOBS = _compile_all(JOBS)
C_HEADLINES = _compile_all(HEADLINES)
C_DATELINES = _compile_all(DATELINES)
C_CHROME_TOP = _compile_all(CHROME_TOP)


class Person:
    __slots__ = ("title", "first", "last", "female")

    def __init__(self, title, first, last, female):
        self.title, self.first, self.last, self.female = title, first, last, female

    def full(self):
        return f"{self.title} {self.first} {self.last}"

    def short(self, rng):
        r = rng.random()
        if r < 0.5:
            return ("Ms. " if self.female else "Mr. ") + self.last
        if r < 0.8 and self.title.endswith("."):
            return f"{self.title} {self.last}"
        return self.last


class Ctx:
    """Per-article cast, so an article keeps returning to the same countries and people."""

    __slots__ = ("rng", "countries", "people", "year", "month")

    def __init__(self, rng, year, month):
        self.rng = rng
        self.countries = rng.sample(COUNTRIES, 3)
        self.people = [make_person(rng) for _ in range(rng.randint(2, 4))]
        self.year, self.month = year, month


def make_person(rng):
    female = rng.random() < 0.45
    first = rng.choice(FIRST_F if female else FIRST_M)
    return Person(rng.choice(TITLES), first, rng.choice(LAST), female)


def _money(rng):
    r = rng.random()
    amount = f"{rng.randint(1, 99)}.{rng.randint(1, 9)}" if r < 0.6 else str(rng.randint(2, 900))
    unit = rng.choice(("million", "billion", "billion", "trillion"))
    cur = rng.choice(("$", "$", "US$", "\u20ac", "\u00a3"))
    return f"{cur}{amount} {unit}"


def _pct(rng):
    v = f"{rng.randint(0, 14)}.{rng.randint(1, 9)}"
    return v + (" percent" if rng.random() < 0.7 else "%")


def _date(rng):
    r = rng.random()
    if r < 0.55:
        return f"{rng.choice(MONTHS_AP)} {rng.randint(1, 28)}"
    if r < 0.8:
        return rng.choice(DAYS)
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)}"


def _time(rng):
    r = rng.random()
    if r < 0.7:
        return f"{rng.randint(1, 12)}:{rng.choice(('00', '15', '30', '45', '05'))} {rng.choice(('a.m.', 'p.m.'))}"
    return f"{rng.randint(1, 12)} {rng.choice(('a.m.', 'p.m.'))}"


def _country(ctx, i):
    """The article's first (i=0) or second (i=1) country; sometimes the third, for C only, so C
    and C2 in one sentence never name the same country."""
    rng = ctx.rng
    if i == 0 and rng.random() < 0.2:
        i = 2
    name = ctx.countries[i][0]
    return name if isinstance(name, str) else rng.choice(name)


def _person(ctx):
    return ctx.rng.choice(ctx.people)


def _quote_lc(ctx):
    q = fill(ctx.rng.choice(C_QUOTE_BODIES), ctx)
    return q[0].lower() + q[1:] if not q.startswith(("U.", "I ")) else q


SLOTS = {
    "C": lambda c: _country(c, 0),
    "C2": lambda c: _country(c, 1),
    "CADJ": lambda c: c.countries[c.rng.randrange(3)][1],
    "CITY": lambda c: c.countries[c.rng.randrange(3)][2] if c.rng.random() < 0.7 else c.rng.choice(COUNTRIES)[2],
    "CITYUP": lambda c: c.countries[0][2].upper(),
    "REGION": lambda c: c.countries[0][3],
    "ORG": lambda c: c.rng.choice(ORGS),
    "TANK": lambda c: c.rng.choice(THINK_TANKS),
    "TANK_CORP": lambda c: c.rng.choice(("Hanwa Corp.", "Delcor Inc.", "Sarvik Holdings Ltd.",
                                         "Orinta Co.", "Baltrex Group", "Kestrel Energy Corp.")),
    "PERSON": lambda c: _person(c).full(),
    "SHORT": lambda c: _person(c).short(c.rng),
    "SHORTNAME": lambda c: _person(c).last,
    "NAME": lambda c: f"{c.rng.choice(FIRST_F + FIRST_M)} {c.rng.choice(LAST)}",
    "LAST": lambda c: c.rng.choice(LAST),
    "JOB": lambda c: fill(c.rng.choice(C_JOBS), c),
    "WHO": lambda c: fill(c.rng.choice(C_WHO), c),
    "EVENT": lambda c: fill(c.rng.choice(C_EVENTS), c),
    "SAY": lambda c: c.rng.choice(SAY),
    "QUOTE": lambda c: fill(c.rng.choice(C_QUOTE_BODIES), c),
    "QUOTE_LC": _quote_lc,
    "QUESTION": lambda c: fill(c.rng.choice(C_QUESTION_BODIES), c),
    "TOPIC": lambda c: c.rng.choice(TOPICS),
    "TOPIC_SHORT": lambda c: c.rng.choice(TOPIC_SHORT),
    "AGREEMENT": lambda c: c.rng.choice(AGREEMENTS),
    "ADJ": lambda c: c.rng.choice(ADJ),
    "NOUN": lambda c: c.rng.choice(NOUNS),
    "ECON": lambda c: c.rng.choice(ECON),
    "STATE": lambda c: c.rng.choice(STATES),
    "PCT": lambda c: _pct(c.rng),
    "DEC": lambda c: f"{c.rng.randint(0, 9)}.{c.rng.randint(0, 99):02d}".rstrip("0").rstrip("."),
    "BP": lambda c: str(c.rng.choice((25, 50, 75, 100, 150))),
    "MONEY": lambda c: _money(c.rng),
    "DATE": lambda c: _date(c.rng),
    "TIME": lambda c: _time(c.rng),
    "MONTH": lambda c: c.rng.choice(MONTHS),
    "YEAR": lambda c: str(c.rng.randint(1991, c.year - 1)),
    "AGE": lambda c: str(c.rng.randint(38, 81)),
    "SMALLNUM": lambda c: str(c.rng.randint(2, 19)),
    "BIGNUM": lambda c: f"{c.rng.randint(1, 250):,},{c.rng.randint(0, 9)}00" if c.rng.random() < 0.5 else f"{c.rng.randint(2, 95)},000",
    "SITE": lambda c: c.rng.choice(SITE_NAMES),
}


def fill(tpl, ctx):
    if len(tpl) == 1:
        return tpl[0]
    parts = list(tpl)
    for i in range(1, len(parts), 2):
        parts[i] = SLOTS[parts[i]](ctx)
    return "".join(parts)


def sentence(ctx):
    r = ctx.rng.random()
    if r < 0.45:
        s = fill(ctx.rng.choice(C_STATEMENTS), ctx)
    elif r < 0.78:
        s = fill(ctx.rng.choice(C_OPINIONS), ctx)
    else:
        s = fill(ctx.rng.choice(C_QUOTE_SENTENCES), ctx)
    c = s[0]
    if "a" <= c <= "z":
        s = c.upper() + s[1:]
    if ".." in s:
        # "... at 5 p.m." ends the sentence with the abbreviation's own dot.
        s = _DOUBLE_DOT.sub(".", s)
    return s


_DOUBLE_DOT = re.compile(r"(?<!\.)\.\.(?!\.)")


# ---------------------------------------------------------------------------------------------
# Article assembly
# ---------------------------------------------------------------------------------------------

def dateline(ctx, day):
    rng = ctx.rng
    hour24 = rng.randint(0, 23)
    h12 = hour24 % 12 or 12
    vals = {
        "MONTHF": MONTHS[ctx.month - 1],
        "MONTHS": MONTHS_SHORT[ctx.month - 1],
        "D": str(day),
        "DD": f"{day:02d}",
        "MM": f"{ctx.month:02d}",
        "Y": str(ctx.year),
        "H12": str(h12),
        "HH": f"{hour24:02d}",
        "MI": f"{rng.randint(0, 59):02d}",
        "AMPM": "am" if hour24 < 12 else "pm",
        "NCOM": str(rng.randint(0, 240)),
        "VIEWS": f"Views: {rng.randint(10, 9999)}" if rng.random() < 0.7 else "",
        "DAY": rng.choice(DAYS),
        "BYLINENAME": rng.choice(("admin", "editor", "guest", "newsdesk")),
        "CITYUP": ctx.countries[0][2].upper(),
    }
    tpl = rng.choice(C_DATELINES)
    parts = list(tpl)
    for i in range(1, len(parts), 2):
        parts[i] = vals[parts[i]]
    return "".join(parts)


def byline(rng):
    name = f"{rng.choice(FIRST_F + FIRST_M)} {rng.choice(LAST)}"
    r = rng.random()
    if r < 0.55:
        return f"By {name}"
    if r < 0.7:
        return f"By {name.upper()}"
    if r < 0.82:
        return f"By {name} and {rng.choice(FIRST_F + FIRST_M)} {rng.choice(LAST)}"
    if r < 0.92:
        return f"By {name}, {rng.choice(('Staff Writer', 'Contributor', 'Special Correspondent', 'Columnist'))}"
    return f"{name} | {rng.choice(('Opinion', 'Analysis', 'Commentary'))}"


def headline(ctx):
    h = fill(ctx.rng.choice(C_HEADLINES), ctx)
    return h[0].upper() + h[1:]


def trailer(ctx):
    rng = ctx.rng
    out = []
    if rng.random() < 0.5:
        out.append("Share this:")
        for net in ("Twitter", "Facebook", "WhatsApp", "Email"):
            if rng.random() < 0.5:
                out.append(net)
        if rng.random() < 0.4:
            out += ["Like this:", "Loading..."]
    if rng.random() < 0.3:
        out.append(f"Tags: {', '.join(rng.sample(TOPIC_SHORT, 3))}")
    if rng.random() < 0.6:
        out.append("Related posts:")
        out.append(headline(ctx))
        out.append(headline(ctx))
    if rng.random() < 0.5:
        out.append("Leave a Reply")
        if rng.random() < 0.5:
            out.append("You must be logged in to post a comment.")
    if rng.random() < 0.2:
        out.append(f"\u00a9 {ctx.year} {rng.choice(SITE_NAMES)}. All rights reserved.")
    return out


def article_text(rng, year, month, force_quote=False):
    """One article as a str (LF line endings), 2-12 KB once encoded."""
    ctx = Ctx(rng, year, month)
    target = int(rng.triangular(2300, 11800, 4200))
    lines = []
    if rng.random() < 0.4:
        for _ in range(rng.randint(1, 3)):
            lines.append(fill(rng.choice(C_CHROME_TOP), ctx))
    lines.append(headline(ctx))
    lines.append("")
    lines.append(dateline(ctx, rng.randint(1, 28)))
    if rng.random() < 0.6:
        lines.append(byline(rng))
    if rng.random() < 0.1:
        lines.append(f"{rng.randint(1, 300)} comments")
    lines.append("")
    head = "\n".join(lines)
    tail = trailer(ctx) if rng.random() < 0.45 else []
    tail_txt = "\n".join(tail)

    body_target = target - len(head) - len(tail_txt) - 4
    n_paras = max(4, min(15, round(body_target / rng.uniform(350, 950))))
    paras = []
    for p in range(n_paras):
        ptarget = body_target / n_paras * rng.uniform(0.6, 1.4)
        sents = []
        size = 0
        if p == 0 and force_quote:
            s = fill(C_QUOTE_SENTENCES[0], ctx)
            sents.append(s)
            size += len(s) + 1
        while True:
            s = sentence(ctx)
            if sents and s == sents[-1]:
                s = sentence(ctx)
            if sents and size + len(s) > ptarget:
                break
            sents.append(s)
            size += len(s) + 1
        paras.append(" ".join(sents))
    # Two blank lines between some paragraphs mark a section break.
    body_parts = [paras[0]]
    for para in paras[1:]:
        body_parts.append("\n\n\n" if rng.random() < 0.08 else "\n\n")
        body_parts.append(para)
    text = head + "\n" + "".join(body_parts) + "\n"
    if tail:
        text += "\n" + tail_txt + "\n"
    return text


def good_article(rng, year, month):
    """UTF-8 bytes of an article within 2-12 KB."""
    for _ in range(20):
        text = article_text(rng, year, month)
        r = rng.random()
        if r < 0.04:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if r > 0.985:
            data = b"\xef\xbb\xbf" + data
        if 2000 <= len(data) <= 12000:
            return data
    return data


def bad_file(rng, year, month):
    """(kind, bytes) of a file that is not a clean UTF-8 article."""
    r = rng.random()
    if r < 0.25:
        return "empty", b""
    if r < 0.5:
        n = rng.randint(300, 20000)
        b = bytearray(rng.randbytes(n))
        i = 0
        while i < n:
            b[i] = 0
            i += rng.randint(2, 12)
        if rng.random() < 0.4:
            magic = rng.choice((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"PK\x03\x04", b"\x1f\x8b\x08"))
            b[: len(magic)] = magic
        return "binary", bytes(b)
    if r < 0.7:
        n = rng.randint(1, 400)
        return "whitespace", "".join(rng.choice(" \t\n\n\r") for _ in range(n)).encode()
    # windows-1252: same shape as an article, with curly quotes and accented names, so it is not
    # valid UTF-8.
    text = article_text(rng, year, month, force_quote=True)
    text = text.replace("'", "\u2019")
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(ACCENTED)
        text = text.replace(" said ", f" said {name}, ", 1) if rng.random() < 0.5 else text + f"\n{name}\n"
    if rng.random() < 0.5:
        text = text.replace("\n", "\r\n")
    return "cp1252", text.encode("cp1252", errors="replace")


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------

N_SITES = 12


def generate(out, mb, seed):
    rng = random.Random(seed)
    limit = int(mb * 1_000_000)
    site_start = [(rng.randint(2014, 2019), rng.randint(1, 12)) for _ in range(N_SITES)]
    total = 0
    files = 0
    counts = {"duplicate": 0, "empty": 0, "binary": 0, "whitespace": 0, "cp1252": 0}
    recent = []  # earlier good articles, for exact duplicates
    folder_idx = 0
    folders = 0
    while total < limit:
        site = folder_idx % N_SITES
        k = folder_idx // N_SITES
        y0, m0 = site_start[site]
        mi = (m0 - 1) + k
        year, month = y0 + mi // 12, mi % 12 + 1
        folder = os.path.join(out, f"site-{site + 1:02d}", f"{year:04d}", f"{month:02d}")
        os.makedirs(folder, exist_ok=True)
        folders += 1
        n_in_folder = rng.randint(100, 300)
        for _ in range(n_in_folder):
            if total >= limit:
                break
            r = rng.random()
            if r < 0.005:
                kind, data = bad_file(rng, year, month)
                counts[kind] += 1
            elif r < 0.015 and recent:
                data = rng.choice(recent)
                counts["duplicate"] += 1
            else:
                data = good_article(rng, year, month)
                if len(recent) < 500:
                    recent.append(data)
                else:
                    recent[rng.randrange(500)] = data
            files += 1
            with open(os.path.join(folder, f"article-{files:06d}.txt"), "wb") as f:
                f.write(data)
            total += len(data)
        folder_idx += 1
    return files, folders, total, counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output folder (must be empty or missing)")
    ap.add_argument("--mb", type=float, default=200, help="stop after this many MB (10^6 bytes) [200]")
    ap.add_argument("--seed", type=int, default=1, help="random seed [1]")
    ap.add_argument("--force", action="store_true",
                    help="delete the site-NN folders of an earlier corpus in --out first")
    args = ap.parse_args(argv)
    if args.mb <= 0:
        ap.error("--mb must be positive")

    if os.path.isdir(args.out) and os.listdir(args.out):
        if not args.force:
            print(f"gen_corpus: {args.out} is not empty; choose another --out or pass --force",
                  file=sys.stderr)
            return 2
        for name in sorted(os.listdir(args.out)):
            if re.fullmatch(r"site-\d+", name):
                shutil.rmtree(os.path.join(args.out, name))
        if os.listdir(args.out):
            print(f"gen_corpus: {args.out} holds files this script did not write; not touching it",
                  file=sys.stderr)
            return 2
    os.makedirs(args.out, exist_ok=True)

    t0 = time.monotonic()
    files, folders, total, counts = generate(args.out, args.mb, args.seed)
    secs = time.monotonic() - t0
    bad = counts["empty"] + counts["binary"] + counts["whitespace"] + counts["cp1252"]
    print(f"gen_corpus: {files} files in {folders} folders, {total} bytes ({total / 1e6:.1f} MB), "
          f"{bad} bad (empty {counts['empty']}, binary {counts['binary']}, whitespace "
          f"{counts['whitespace']}, windows-1252 {counts['cp1252']}), {counts['duplicate']} duplicates, "
          f"seed {args.seed}, {secs:.1f}s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
