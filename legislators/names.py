"""Names: a name in the chosen script (the one helper pages, charts, forms and template filters call),
and the normalised name that matches one person across files spelt differently."""

import re
import unicodedata
from difflib import SequenceMatcher

from django.utils.translation import get_language, pgettext_lazy


def hindi_chosen():
    return (get_language() or "").startswith("hi")


def in_script(name, name_hi):
    """``name_hi`` when the language is Hindi and there is one, else ``name``."""
    return name_hi if name_hi and hindi_chosen() else name


def localised(obj, field="name"):
    """``obj.<field>_hi`` in Hindi (when set), else ``obj.<field>``; "" when neither is set."""
    return in_script(getattr(obj, field, "") or "", getattr(obj, f"{field}_hi", "") or "")


# --- matching people across files ---------------------------------------------------------------
# Published lists spell one person many ways: "DR. MOHAN YADAV" / "Mohan Yadav", "JAGDISH DEWDA" /
# "Jagdish Devda", "KOL SARAD JUGLAL" / "Sharad Juglal Kol". ``name_key`` folds what never tells two
# people apart (case, dots, honorifics, word order, nicknames in brackets and common transliteration
# variants); ``name_similarity`` scores what is left, for "needs a decision" (never applied silently).

# Honorifics and terms of address (the list reference/mp/PROVENANCE.md's review used), lower-cased, no dots.
HONORIFICS = frozenset(
    {
        "dr",
        "doctor",
        "shri",
        "shree",
        "sri",
        "smt",
        "shrimati",
        "srimati",
        "sushri",
        "kumari",
        "km",
        "adv",
        "advocate",
        "er",
        "eng",
        "engineer",
        "kunwar",
        "kunvar",
        "kanwar",
        "bhaiya",
        "baba",
        "ji",
        "didi",
        "raja",
        "saab",
        "sahab",
        "prof",
        "mr",
        "mrs",
        "ms",
    }
)
# Applied in order to each word: longer patterns first.
TRANSLITERATION = (
    ("chh", "c"),
    ("ksh", "ks"),
    ("aa", "a"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "o"),
    ("au", "o"),
    ("w", "v"),
    ("sh", "s"),
    ("bh", "b"),
    ("dh", "d"),
    ("th", "t"),
    ("kh", "k"),
    ("gh", "g"),
    ("ph", "p"),
    ("jh", "j"),
    ("ch", "c"),
    ("q", "k"),
    ("z", "j"),
    ("y", "i"),
)
_BRACKETS = re.compile(r"[(\[{][^)\]}]*[)\]}]")
_NOT_LETTERS = re.compile(r"[^a-z\u0900-\u097f]+")
_DOUBLED = re.compile(r"(.)\1+")


def name_words(name, *, ordered=False):
    """The words that tell a person apart: folded, honorifics and bracketed nicknames dropped, sorted
    (``ordered``: in the name's own order)."""
    text = unicodedata.normalize("NFKD", str(name or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch) or "\u0900" <= ch <= "\u097f").lower()
    text = _BRACKETS.sub(" ", text)
    words = []
    for word in _NOT_LETTERS.split(text):
        if not word or word in HONORIFICS:
            continue
        for old, new in TRANSLITERATION:
            word = word.replace(old, new)
        words.append(_DOUBLED.sub(r"\1", word))
    return words if ordered else sorted(words)


def name_key(name):
    """One string per person's name however it is spelt: "DR. MOHAN YADAV" and "Mohan Yadav" → "mohan iadav"."""
    return " ".join(name_words(name))


def name_keys(name):
    """The forms under which two spellings are the same name: the words in any order ("Kol Sarad Juglal" /
    "Sharad Juglal Kol"), and the letters with the spaces folded ("Premsingh Patel" / "Prem Singh Patel",
    "O.P.S. Bhadoria" / "OPS Bhadoria")."""
    words = name_words(name, ordered=True)
    return frozenset({" ".join(sorted(words)), "".join(words)}) if words else frozenset()


def same_name(first, second):
    return bool(name_keys(first) & name_keys(second))


def name_similarity(first, second):
    """0..1: how alike two names are once folded (1.0: the same key). A fuzzy match, never applied silently."""
    a, b = name_key(first), name_key(second)
    if not a or not b:
        return 0.0
    if a == b or same_name(first, second):
        return 1.0
    words_a, words_b = set(a.split()), set(b.split())
    shorter, longer = sorted((words_a, words_b), key=len)
    # Every word of the shorter name in the longer ("Usha Thakur" / "Usha Babu Singh Thakur").
    contained = 0.9 if shorter <= longer and len(shorter) >= 2 else 0.0
    return max(contained, SequenceMatcher(None, a, b).ratio())


# --- platforms' names in the chosen language (the brands in Devanagari in Hindi) -----------------
PLATFORM_LABELS = {
    "x": pgettext_lazy("platform", "X"),
    "facebook": pgettext_lazy("platform", "Facebook"),
    "instagram": pgettext_lazy("platform", "Instagram"),
    "youtube": pgettext_lazy("platform", "YouTube"),
}


def platform_label(value):
    """A platform's name in the chosen language: "YouTube", in Hindi "यूट्यूब"."""
    return str(PLATFORM_LABELS.get(value, value))
