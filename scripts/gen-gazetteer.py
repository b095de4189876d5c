#!/usr/bin/env python3
"""Builds data/regions/gazetteer.tsv: the settlements, districts and regions of the
Russia-occupied regions of Ukraine with their Ukrainian, Latin and Russian spellings.

Inputs (read from the shared data folder, never copied into the repository):
  geo/katottg/kodifikator-16-05-2025.csv          official KATOTTG codifier (Ukrainian names)
  geo/katottg/perelik_territories_order376_2025.docx
      Order No. 376 of the Ministry for Communities and Territories Development, 28.02.2025:
      the list of temporarily occupied territories with occupation start and end dates
  geo/rigour_territories/*.yml                     region-level names (Latin, Russian, Crimean Tatar)
  geo/geonames_postal/UA.txt                       postal codes of each oblast (GeoNames, CC BY 4.0):
                                                   the two-digit prefixes used only in one region
  data/regions/supplement.tsv (in the repository)  Russian and former (pre-2016) names of towns

Spellings generated for each Ukrainian name:
  - the name itself (Ukrainian Cyrillic);
  - the official Latin transliteration (Cabinet of Ministers Resolution No. 55 of 27.01.2010);
  - Russian-language forms made by regular correspondences (-ськ → -ск, є → е, і → и/о/е in
    the common patterns) in Cyrillic and in Latin (BGN/PCGN-style), e.g. Горлівка → Горловка →
    Gorlovka, Макіївка → Макеевка → Makeevka / Makeyevka;
  - the supplement's names (Russian names that the rules do not produce and former names such
    as Artemovsk for Bakhmut or Krasnodon for Sorokyne).
The watchlist normaliser folds remaining differences (case, apostrophes, ' for ь, diacritics).

Usage: python3 scripts/gen-gazetteer.py [SHARED_DIR]   (default: ../shared next to the repo)
Output columns (tab-separated, one row per place):
  region   rule region id (ua-cri, ua-dpr, ua-lpr, ua-23, ua-65)
  level    oblast | raion | city | town | village | postal (a two-digit postal-code prefix)
  code     KATOTTG code
  status   occupied | deoccupied | unlisted   (per Order No. 376; most specific entry wins)
  since    occupation start date (YYYY-MM-DD) when listed
  elsewhere  number of settlements with the same Ukrainian name outside these five regions
  names    spellings separated by |
"""

import csv
import os
import re
import sys
import zipfile
from collections import defaultdict

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# first-level KATOTTG codes of the regions and the rule region they belong to
REGIONS = {
    "UA01000000000013043": "ua-cri",  # Autonomous Republic of Crimea
    "UA85000000000065278": "ua-cri",  # Sevastopol (city with special status)
    "UA14000000000091971": "ua-dpr",  # Donetsk oblast
    "UA44000000000018893": "ua-lpr",  # Luhansk oblast
    "UA23000000000064947": "ua-23",  # Zaporizhzhia oblast
    "UA65000000000030969": "ua-65",  # Kherson oblast
}
LEVELS = {"O": "oblast", "K": "city", "P": "raion", "M": "city", "X": "town", "C": "village"}

KMU = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "’": "", "'": "", "ʼ": "",
}
KMU_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

RU_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
VOWELS = set("аеєиіїоуюяёыэ")


def kmu(word):
    """Ukrainian → Latin, KMU Resolution 55/2010 (зг → zgh; initial є ї й ю я → ye yi y yu ya)."""
    out = []
    lw = word.lower()
    for i, c in enumerate(lw):
        initial = i == 0 or not lw[i - 1].isalpha()
        if c == "г" and i > 0 and lw[i - 1] == "з":
            out.append("gh")
        elif initial and c in KMU_INITIAL:
            out.append(KMU_INITIAL[c])
        else:
            out.append(KMU.get(c, c))
    s = "".join(out)
    return s[:1].upper() + s[1:] if word[:1].isupper() else s


def ru_latin(word, ye=False):
    """Russian Cyrillic → Latin; with ye=True, е after a vowel or at the start is 'ye'."""
    out = []
    lw = word.lower()
    for i, c in enumerate(lw):
        prev = lw[i - 1] if i else ""
        if ye and c == "е" and (i == 0 or prev in VOWELS or prev in "ьъ"):
            out.append("ye")
        else:
            out.append(RU_LAT.get(c, c))
    s = "".join(out)
    return s[:1].upper() + s[1:] if word[:1].isupper() else s


def russian_forms(uk):
    """Likely Russian-language forms of a Ukrainian place name (regular correspondences)."""
    s = uk.replace("’", "").replace("'", "").replace("ʼ", "")
    s = re.sub(r"ськ", "ск", s)
    s = re.sub(r"цьк", "цк", s)
    s = s.replace("є", "е").replace("Є", "Е")
    base = s
    forms = set()
    # і → и everywhere, ї → и
    forms.add(base.replace("ії", "ие").replace("ї", "и").replace("і", "и").replace("І", "И"))
    # closed-syllable і from о: Горлівка → Горловка, Харків → Харьков-like
    closed = re.sub(r"і(?=[бвгґджзклмнпрстфхцчшщ](?:[бвгґджзклмнпрстфхцчшщь]|$|к[аи]|ц))", "о", base)
    forms.add(closed.replace("ії", "ее").replace("ї", "е").replace("і", "и").replace("І", "И"))
    # -іївка → -еевка (Макіївка → Макеевка)
    forms.add(base.replace("іїв", "еев").replace("ії", "ее").replace("ї", "и").replace("і", "и").replace("І", "И"))
    # adjectival endings: -ське → -ское, -цьке → -цкое, -не → -ное, -ове → -ово
    more = set()
    for f in forms:
        more.add(re.sub(r"ске$", "ское", re.sub(r"цке$", "цкое", f)))
        more.add(re.sub(r"ове$", "ово", re.sub(r"еве$", "ево", f)))
        more.add(re.sub(r"([^аеиоу])не$", r"\1ное", f))
    forms |= more
    # и after ж ш ч щ ц stays; Ukrainian и elsewhere is often ы in Russian (Крим → Крым)
    forms |= {re.sub(r"(?<=[крмтбпвлсдз])и(?=м$|мс|л$)", "ы", f) for f in forms}
    forms.discard(uk)
    return sorted(forms)


def spellings(uk):
    out = [uk, kmu(uk)]
    for ru in russian_forms(uk):
        out += [ru, ru_latin(ru), ru_latin(ru, ye=True)]
    seen = []
    for s in out:
        if s and s not in seen:
            seen.append(s)
    return seen


def read_order(path):
    """Order No. 376 part II (temporarily occupied): code → (start, end, exceptions)."""
    x = zipfile.ZipFile(path).read("word/document.xml").decode()
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", x, re.S)
    entries = {}
    for t in tables:
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", t, re.S)
        head = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", rows[0])) if rows else ""
        if "окупації" not in head:
            continue  # part I: combat zones
        for r in rows[1:]:
            cells = ["".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", c)) for c in re.findall(r"<w:tc>.*?</w:tc>", r, re.S)]
            if len(cells) < 4 or not cells[0].startswith("UA"):
                continue
            code, name, start, end = (c.strip() for c in cells[:4])
            exceptions = set()
            m = re.search(r"за винятком (.*)", name)
            if m:
                for part in m.group(1).split(","):
                    n = re.sub(r"^\s*(с\.|м\.|смт|селище|село)\s*", "", part.strip())
                    if n:
                        exceptions.add(n.strip())
            entries[code] = (iso(start), iso(end), exceptions)
    return entries


def iso(d):
    m = re.match(r"(\d\d)\.(\d\d)\.(\d{4})", d or "")
    return f"{m.group(3)}-{m.group(2)}-{m.group(1)}" if m else ""


def status(codes, name, order):
    """The most specific Order 376 entry among a place's codes (settlement first)."""
    for code in reversed(codes):
        e = order.get(code)
        if not e:
            continue
        start, end, exceptions = e
        if name in exceptions and code != codes[-1]:
            return ("unlisted", "")
        return ("deoccupied" if end else "occupied", start)
    return ("unlisted", "")


def raion_names(adj):
    """Бахчисарайський → Бахчисарайський район, Bakhchysaraiskyi raion, Бахчисарайский район, …"""
    out = [f"{adj} район", f"{kmu(adj)} raion", f"{kmu(adj)} district"]
    ru = re.sub(r"ський$", "ский", re.sub(r"цький$", "цкий", adj)).replace("і", "и").replace("є", "е").replace("ї", "и")
    out += [f"{ru} район", f"{ru_latin(ru)} rayon", f"{ru_latin(ru)} district"]
    return out


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(REPO), "shared")
    geo = os.path.join(shared, "data", "geo")
    order = read_order(os.path.join(geo, "katottg", "perelik_territories_order376_2025.docx"))
    supplement = defaultdict(list)
    with open(os.path.join(REPO, "data", "regions", "supplement.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            code, names = line.rstrip("\n").split("\t")[:2]
            supplement[code] += [n for n in names.split("|") if n]
    rows = []
    elsewhere = defaultdict(int)
    with open(os.path.join(geo, "katottg", "kodifikator-16-05-2025.csv"), encoding="utf-8-sig", newline="") as f:
        r = csv.reader(f, delimiter=";")
        next(r)
        for rec in r:
            codes = [c for c in rec[:5] if c]
            cat, name = rec[5].strip(), rec[6].strip()
            region = REGIONS.get(rec[0])
            if cat in ("M", "X", "C") and region is None:
                elsewhere[name] += 1
            if region is None or cat not in LEVELS:
                continue
            rows.append((region, cat, codes, name))
    out_path = os.path.join(REPO, "data", "regions", "gazetteer.tsv")
    n = 0
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        out.write("# Generated by scripts/gen-gazetteer.py from the KATOTTG codifier (16.05.2025), Order No. 376\n")
        out.write("# of 28.02.2025 (occupied territories) and data/regions/supplement.tsv. Do not edit by hand.\n")
        out.write("region\tlevel\tcode\tstatus\tsince\telsewhere\tnames\n")
        for region, cat, codes, name in rows:
            level = LEVELS[cat]
            st, since = status(codes, name, order)
            if level == "raion":
                names = raion_names(name)
            elif level == "oblast":
                names = [name]
            else:
                names = spellings(name)
            for extra in supplement.get(codes[-1], []):
                if extra not in names:
                    names.append(extra)
            out.write(f"{region}\t{level}\t{codes[-1]}\t{st}\t{since}\t{elsewhere.get(name, 0) if level not in ('raion', 'oblast') else 0}\t{'|'.join(names)}\n")
            n += 1
        # postal codes: two-digit prefixes used only in one of the regions (GeoNames UA.txt)
        for prefix, region in postal_prefixes(os.path.join(geo, "geonames_postal", "UA.txt")):
            out.write(f"{region}\tpostal\t{prefix}\tunlisted\t\t0\t{prefix}\n")
            n += 1
    print(f"wrote {n} places to {out_path}", file=sys.stderr)


POSTAL_OBLASTS = {"Donetska": "ua-dpr", "Luhanska": "ua-lpr", "Zaporizka": "ua-23", "Khersonska": "ua-65"}


def postal_prefixes(path):
    """Two-digit postal-code prefixes whose codes all lie in one of the regions."""
    by_prefix = defaultdict(set)
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) > 3 and len(cols[1]) == 5:
                by_prefix[cols[1][:2]].add(cols[3])
    return sorted((p, POSTAL_OBLASTS[next(iter(a))]) for p, a in by_prefix.items() if len(a) == 1 and next(iter(a)) in POSTAL_OBLASTS)


if __name__ == "__main__":
    main()
