"""The columns of each import kind: our names, the English and Hindi headers read as them, examples.

README's import tables are this module's COLUMNS; ``template_rows`` is the
downloadable template.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from legislators.models import ImportBatch

Kind = ImportBatch.Kind


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple = ()
    required: bool = False
    example: str = ""
    help: str = ""


# The documented columns of each kind (README "Importing data"), with the
# other names a header may have. Headers are compared lower-cased, with "_"
# and runs of spaces read as one space.
_STATE = Column("state_code", ("state", "state code", "राज्य", "राज्य कोड"), True, "MP", "two-letter state code")
_NUMBER_ALIASES = (
    "constituency number",
    "constituency no",
    "ac no",
    "ac number",
    "no",
    "number",
    "क्रमांक",
    "विधानसभा क्रमांक",
    "निर्वाचन क्षेत्र क्रमांक",
    "निर्वाचन क्षेत्र संख्या",
)
_CONSTITUENCY_KIND = Column("constituency_kind", ("ac/pc", "constituency kind"), False, "AC", "AC (default) or PC")

COLUMNS = {
    Kind.CONSTITUENCIES: [
        _STATE,
        Column("number", _NUMBER_ALIASES, True, "1", "the constituency's number"),
        Column(
            "name",
            ("constituency", "constituency name", "ac name", "नाम", "निर्वाचन क्षेत्र", "विधानसभा क्षेत्र"),
            True,
            "Sheopur",
            "name in English",
        ),
        Column("name_hi", ("name hi", "name (hindi)", "hindi name", "हिंदी नाम", "नाम (हिंदी)"), False, "श्योपुर"),
        Column("constituency_kind", ("kind", "ac/pc", "constituency kind", "प्रकार"), False, "AC", "AC or PC"),
        Column("district", ("district name", "जिला", "ज़िला"), True, "Sheopur"),
        Column("district_hi", ("district (hindi)", "जिला (हिंदी)"), False, ""),
        Column("division", ("division name", "संभाग"), False, "Chambal", "needed when the district is new"),
        Column("division_hi", ("division (hindi)", "संभाग (हिंदी)"), False, ""),
        Column(
            "reserved_category", ("reserved", "category", "reservation", "आरक्षण", "श्रेणी"), False, "GEN", "GEN, SC or ST"
        ),
        Column(
            "electors",
            ("total electors", "voters", "total voters", "मतदाता", "कुल मतदाता"),
            False,
            "258978",
            "optional: a voter roll with this total",
        ),
        Column(
            "roll_date",
            ("published on", "roll published on", "roll date", "प्रकाशन तिथि", "सूची तिथि"),
            False,
            "2023-10-04",
            "the voter roll's date (needed with electors)",
        ),
        Column("roll_source", ("source", "स्रोत"), False, "ECI final roll 2023"),
    ],
    Kind.VOTER_ROLLS: [
        _STATE,
        Column("constituency", _NUMBER_ALIASES + ("constituency",), True, "1", "the constituency's number"),
        _CONSTITUENCY_KIND,
        Column("published_on", ("roll date", "date", "published", "प्रकाशन तिथि", "तिथि"), True, "2023-10-04"),
        Column("electors", ("total electors", "total", "voters", "मतदाता", "कुल मतदाता"), True, "258978"),
        Column("male", ("men", "पुरुष"), False, ""),
        Column("female", ("women", "महिला"), False, ""),
        Column("third_gender", ("third gender", "other", "तृतीय लिंग"), False, ""),
        Column("source", ("स्रोत",), False, "ECI final roll 2023"),
    ],
    Kind.LEGISLATORS: [
        Column(
            "person_id",
            ("person id", "person", "legislator id", "member id", "व्यक्ति आईडी"),
            False,
            "",
            "an existing person: the id in the admin, or a reference id such as mp-p0217",
        ),
        Column("new", ("new person", "नया"), False, "", "yes: a new person even if a recorded one has a like name"),
        Column("name", ("member", "member name", "legislator", "नाम", "सदस्य"), True, "Member Name"),
        Column("name_hi", ("name (hindi)", "hindi name", "हिंदी नाम"), False, ""),
        Column("state_code", _STATE.aliases, False, "MP", "with constituency"),
        Column("constituency", _NUMBER_ALIASES + ("constituency",), False, "1", "the constituency's number"),
        _CONSTITUENCY_KIND,
        Column("party", ("party short name", "दल", "पार्टी"), False, "ABC", "party short name (created if new)"),
        Column(
            "party_hi",
            ("party (hindi)", "party name (hindi)", "दल का नाम", "पार्टी का नाम"),
            False,
            "",
            "the party's full name in Hindi (shown on Hindi pages)",
        ),
        Column("term_start", ("term start", "from", "कार्यकाल प्रारंभ"), False, "2023-12-03", "the term's first day"),
        Column("term_end", ("term end", "to", "कार्यकाल समाप्त"), False, "", "the last day (empty: serving)"),
        Column(
            "how_elected", ("how elected", "election", "निर्वाचन"), False, "general", "general (default) or by-election"
        ),
        Column(
            "end_reason",
            ("end reason", "why it ended", "समाप्ति का कारण"),
            False,
            "",
            "completion, resignation, death, disqualification, seat change or party change",
        ),
        Column("role", ("post", "पद"), False, "MLA", "CM, CABINET, MOS_IC, MOS or MLA"),
        Column("role_from", ("role from", "role since", "sworn in", "पद से"), False, "", "the day the role began"),
        Column("role_to", ("role to", "role until", "पद तक"), False, "", "the role's last day"),
        Column("portfolio", ("department", "विभाग"), False, ""),
        Column(
            "portfolio_hi",
            ("portfolio (hindi)", "department (hindi)", "विभाग (हिंदी)"),
            False,
            "",
            "the portfolio in Hindi (shown on Hindi pages)",
        ),
    ],
    Kind.ACCOUNTS: [
        Column(
            "member",
            ("name", "member name", "legislator", "सदस्य", "नाम"),
            False,
            "Member Name",
            "the member's name (with constituency) or member_id",
        ),
        Column("member_id", ("legislator id", "member id"), False, ""),
        Column("state_code", _STATE.aliases, False, "MP"),
        Column("constituency", _NUMBER_ALIASES + ("constituency",), False, "1"),
        _CONSTITUENCY_KIND,
        Column("platform", ("प्लेटफ़ॉर्म", "प्लेटफॉर्म", "मंच"), False, "x", "x, facebook, instagram, youtube"),
        Column(
            "handle",
            ("url", "profile", "profile url", "link", "हैंडल", "लिंक"),
            True,
            "https://x.com/name",
            "a handle or a profile URL",
        ),
        Column("platform_id", ("platform id", "user id", "channel id", "page id"), False, ""),
        Column("kind", ("type", "account kind", "प्रकार"), False, "official", "official or personal"),
    ],
    Kind.COUNTS: [
        Column("platform", ("प्लेटफ़ॉर्म", "प्लेटफॉर्म"), False, "x"),
        Column("handle", ("url", "account", "profile url", "हैंडल"), True, "https://x.com/name"),
        Column("date", ("day", "on", "तिथि", "दिनांक"), True, "2024-01-31"),
        Column("followers", ("count", "follower count", "subscribers", "फॉलोअर्स"), True, "12345"),
        Column("posts", ("post count", "पोस्ट"), False, ""),
        Column(
            "evidence_url",
            ("evidence", "evidence url", "screenshot", "source", "प्रमाण"),
            True,
            "https://example.org/screenshot.png",
            "where the count was read",
        ),
    ],
    # Not a table: a GeoJSON file. These are the feature property read as the number (a mapping such
    # as AC_NO=number names another) and the fixed values the upload page accepts.
    Kind.BOUNDARIES: [
        Column(
            "number",
            ("ac_no", "AC_NO", "ac_number", "number"),
            True,
            "ac_no",
            "the feature property holding the constituency number (detected, or mapped: AC_NO=number)",
        ),
        Column("state_code", (), False, "MP", "fixed value: needed when several states are recorded"),
        Column("constituency_kind", (), False, "AC", "fixed value: AC (default) or PC"),
        Column("source", (), False, "", "fixed value: where the shapes come from (default: the file's name)"),
        Column("licence", (), False, "", "fixed value: the shapes' licence and credit"),
    ],
}


def template_rows(kind):
    """The header row and one example row of a kind's template."""
    columns = COLUMNS[kind]
    return [column.name for column in columns], [column.example for column in columns]


def parse_pairs(items, *, what):
    """["old=new", ...] → {old: new}; raises ValueError naming the bad item."""
    pairs = {}
    for item in items or []:
        for part in str(item).replace("\r", "\n").split("\n"):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValueError(_("%(what)s “%(part)s” is not of the form name=value.") % {"what": what, "part": part})
            old, new = part.split("=", 1)
            pairs[old.strip()] = new.strip()
    return pairs
