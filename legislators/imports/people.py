"""Planning a legislators file: people matched across files, their dated terms and appointments.

Pure, like plan.py: the lookups (every person, term and appointment, read in
a fixed number of queries) are passed in.

Each row is first matched to a person:

- a ``person_id`` column names one (the id in the admin, or a reference id
  such as ``mp-p0217``): matched;
- ``new`` = yes: a new person, whatever the names;
- otherwise the name, normalised (legislators.names.name_key: honorifics,
  case, dots, word order, nicknames in brackets and common transliteration
  variants folded), is compared with the people who held the row's seat:
  one equal name is "matched"; none equal and none alike is "new"; an alike
  name (``name_similarity``), the same name in another seat, or two equal
  names "needs a decision". A decision is never taken silently: the file is
  refused, each such row named with its candidates, until the user adds the
  person id or marks the row new. A row that repeats a new person's seat and
  name earlier in the same file is that person.

Then the row's term (``term_start``: the person's term starting that day is
updated, else a new one is created; ``term_end`` alone ends the person's
latest term) and its role (an appointment from ``role_from``) are checked
against the stored ones: a term may not overlap another of the person or of
the seat, nor end before it starts. A general election's new term closes
the open term it follows (the seat's and the person's), the day before, as
a listed change: "completion", or "changed seat".
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from legislators import validation
from legislators.models import ImportBatch, Role, Term
from legislators.models.people import dates_conflict
from legislators.names import name_key, name_keys, name_similarity

from .plan import constituency_key, plan_start
from .rows import PersonMatch, change, text

ALIKE = 0.8  # name_similarity from which a name "may be" a recorded person's


def _span(start, end):
    return f"{start.isoformat()}–{end.isoformat() if end else _('open')}"


def _overlaps(start, end, other_start, other_end):
    return (end is None or other_start <= end) and (other_end is None or other_end >= start)


class _People:
    """The recorded people, their terms and appointments, and what this file adds to them."""

    def __init__(self, lookups):
        self.people = lookups["people"]  # id -> row
        self.by_reference = lookups["people_by_reference"]  # lower reference id -> row
        self.keys = {pk: name_keys(row["name"]) for pk, row in self.people.items()}
        self.terms = [dict(t) for t in lookups["terms"]]
        self.appointments = [dict(a) for a in lookups["appointments"]]
        self.seat_people, self.by_person, self.by_seat = {}, {}, {}
        for term in self.terms:  # the same dicts in every index: a planned change of an end shows in all
            self.seat_people.setdefault(term["constituency_id"], set()).add(term["legislator_id"])
            self.by_person.setdefault(term["legislator_id"], []).append(term)
            self.by_seat.setdefault(term["constituency_id"], []).append(term)
        self.new_people = {}  # (seat id, name key) -> (reference, line)
        self.seen = set()  # person references given a legislator change already
        self.planned_terms = []  # {"person", "seat", "start", "end", "line", "stored_id"}
        self.planned_appointments = []

    def person_terms(self, person):
        return self.by_person.get(person, [])

    def seat_terms(self, seat_id):
        return self.by_seat.get(seat_id, [])


def plan_legislators(table, lookups, *, mapping=None, constants=None, today=None):
    """lookups: constituencies, parties {lower short name: row}, people {id: row}, people_by_reference,
    terms [rows], appointments [rows]."""
    today = today or timezone.localdate()
    plan, rows, r = plan_start(ImportBatch.Kind.LEGISLATORS, table, mapping, constants)
    if plan.errors:
        return plan
    known = _People(lookups)
    new_parties = set()
    for line, cells in rows:
        name = text(r.value(cells, "name"))
        if not name:
            r.error(line, "name", _("No name: expected the member's name."))
        key = constituency_key(r, line, cells, lookups, number_column="constituency", required=False)
        seat = lookups["constituencies"][key] if key else None
        role = None
        if r.value(cells, "role") != "":
            role = r.clean(line, "role", validation.clean_role, r.value(cells, "role"))
        dates = {}
        for column, what in (
            ("term_start", gettext_lazy("Term start")),
            ("term_end", gettext_lazy("Term end")),
            ("role_from", gettext_lazy("Role from")),
            ("role_to", gettext_lazy("Role to")),
        ):
            raw = r.value(cells, column)
            # A term or a role may end in the future (known in advance); it may not start there.
            future = column in ("term_end", "role_to")
            dates[column] = (
                None
                if raw == ""
                else r.clean(line, column, validation.clean_date, raw, what=what, allow_future=future, today=today)
            )
        for first, last in (("term_start", "term_end"), ("role_from", "role_to")):
            problem = dates_conflict(dates[first], dates[last])
            if problem:
                r.error(line, last, problem)
        how = r.clean(line, "how_elected", validation.clean_how_elected, r.value(cells, "how_elected"))
        reason = r.clean(line, "end_reason", validation.clean_end_reason, r.value(cells, "end_reason"))
        party = text(r.value(cells, "party"))
        if not name or (r.value(cells, "constituency") != "" and seat is None):
            continue
        match = _match(
            r, line, cells, name, seat, known, adds_term=dates["term_start"] is not None, on_day=dates["role_from"]
        )
        plan.matches.append(match)
        if plan.errors:
            continue  # keep checking every row; build changes only for a clean file
        person = _person_change(plan, r, line, cells, name, match, seat, known)
        _plan_party(plan, line, party, text(r.value(cells, "party_hi")), lookups["parties"], new_parties)
        row = {
            "line": line,
            "person": person,
            "person_id": match.person_id,
            "seat": seat,
            "party": ("legislators.party", party.lower()) if party else None,
            "how": how,
            "reason": reason,
            **dates,
        }
        _plan_term(plan, r, row, known)
        if role is not None:
            portfolio = {name: text(r.value(cells, name)) for name in ("portfolio", "portfolio_hi") if name in r.index}
            _plan_role(plan, r, row, role, portfolio, known, today)
    if plan.errors:
        plan.changes = []
    return plan


def _match(r, line, cells, name, seat, known, *, adds_term, on_day=None):
    seat_label = f"{seat['number']} {seat['name']}" if seat else ""
    seat_id = seat["id"] if seat else None
    found = PersonMatch(line=line, name=name, seat=seat_label, status=PersonMatch.NEW)
    raw_id = text(r.value(cells, "person_id"))
    if raw_id:
        return _match_person_id(r, line, raw_id, known, found)
    is_new = r.clean(line, "new", validation.clean_yes, r.value(cells, "new"))
    key, keys = name_key(name), name_keys(name)
    earlier = known.new_people.get((seat_id, key))
    if is_new:
        found.reason = _("marked new")
        return found
    pool = known.seat_people.get(seat_id, set()) if seat else set(known.people)
    equal = sorted(pk for pk in pool if known.keys[pk] & keys)
    if earlier is not None and not equal:
        found.status, found.reason = PersonMatch.MATCHED, _("new on line %(line)s") % {"line": earlier[1]}
        found.person_name = name
        return found
    if len(equal) == 1:
        person = known.people[equal[0]]
        found.status, found.person_id, found.person_name = PersonMatch.MATCHED, person["id"], person["name"]
        found.reason = _("same name and seat") if seat else _("same name")
        return found
    candidates = _like_people(name, keys, seat, pool, equal, known)
    if not candidates and (adds_term or not pool or seat is None):
        found.reason = (
            _("no recorded person of that name in this seat") if seat else _("no recorded person of that name")
        )
        return found
    if not candidates:
        # No term in the row (a ministers file) and no like name: a new person here could be one of the
        # seat's members spelt beyond recognition, a silent duplicate. Ask instead.
        candidates = _seat_holders(known, seat_id, on_day)
    return _decision_needed(r, line, name, found, candidates)


def _match_person_id(r, line, raw_id, known, found):
    """The person a ``person_id`` cell names (a reference id or the admin's number), else an error."""
    person = known.by_reference.get(raw_id.lower())
    if person is None and raw_id.isdigit():
        person = known.people.get(int(raw_id))
    if person is None:
        r.error(
            line,
            "person_id",
            _(
                "Unknown person id “%(id)s”: expected the id of a recorded person (the number in the admin, "
                "or a reference id such as mp-p0217)."
            )
            % {"id": raw_id},
        )
        found.status, found.reason = PersonMatch.DECISION, _("unknown person id")
        return found
    found.status, found.person_id, found.person_name = PersonMatch.MATCHED, person["id"], person["name"]
    found.reason = _("person id")
    return found


def _like_people(name, keys, seat, pool, equal, known):
    """(id, name, why) of the people the row may be: equal names in the pool, alike names (closest first),
    and, for a row with a seat, the same name in another seat."""
    candidates = [(pk, known.people[pk]["name"], _("same name")) for pk in equal]
    candidates += [
        (pk, known.people[pk]["name"], _("alike name (%(score)s%%)") % {"score": round(score * 100)})
        for pk, score in sorted(
            ((pk, name_similarity(name, known.people[pk]["name"])) for pk in pool if pk not in equal),
            key=lambda item: -item[1],
        )
        if score >= ALIKE
    ]
    if seat:
        candidates += [
            (pk, known.people[pk]["name"], _("same name, another seat"))
            for pk, person_keys in known.keys.items()
            if person_keys & keys and pk not in pool
        ]
    return candidates


def _seat_holders(known, seat_id, on_day):
    """(id, name, why) of the seat's members: the member on ``on_day`` first, then the latest."""
    held = sorted(
        known.seat_terms(seat_id),
        key=lambda t: (on_day is not None and _overlaps(on_day, on_day, t["start"], t["end"]), t["start"]),
        reverse=True,
    )
    return [(t["legislator_id"], known.people[t["legislator_id"]]["name"], _("holds or held this seat")) for t in held]


def _decision_needed(r, line, name, found, candidates):
    """The row is refused until the user names the person or marks it new: its (first five) candidates listed."""
    found.status, found.candidates = PersonMatch.DECISION, candidates[:5]
    found.reason = _("a decision is needed")
    listed = "; ".join(f"{candidate} (id {pk}: {why})" for pk, candidate, why in found.candidates)
    r.error(
        line,
        "name",
        _(
            "“%(name)s” may be a recorded person: %(candidates)s. A decision is needed: expected the person's id "
            "in a person_id column, or new=yes for a new person."
        )
        % {"name": name, "candidates": listed},
    )
    return found


def _person_change(plan, r, line, cells, name, match, seat, known):
    """The legislator change of the row's person (once per person in the file); returns its reference."""
    name_hi = text(r.value(cells, "name_hi"))
    if match.person_id is not None:
        person = known.people[match.person_id]
        if match.person_id not in known.seen:
            known.seen.add(match.person_id)
            values = {"name_hi": name_hi} if name_hi else {}
            change(plan, "legislators.legislator", ("id", person["id"]), line, values, person, person["name"])
        return person["id"]
    key = (seat["id"] if seat else None, name_key(name))
    if key in known.new_people and match.status == PersonMatch.MATCHED:
        return known.new_people[key][0]
    reference = ("legislators.legislator", ("new", line))
    known.new_people.setdefault(key, (reference, line))
    change(plan, "legislators.legislator", ("new", line), line, {"name": name, "name_hi": name_hi}, None, name)
    return reference


def _person_label(row, known):
    if row["person_id"] is not None:
        return known.people[row["person_id"]]["name"]
    return _("the new person")


def _plan_term(plan, r, row, known):
    start, end, seat = row["term_start"], row["term_end"], row["seat"]
    person_id, line = row["person_id"], row["line"]
    stored = known.person_terms(person_id) if person_id is not None else []
    if start is None:
        if end is None:
            return
        in_seat = [t for t in stored if seat is None or t["constituency_id"] == seat["id"]]
        if not in_seat:
            r.error(
                line,
                "term_end",
                _("No recorded term to end: expected term_start (a new term) or a person with a recorded term."),
            )
            return
        term = max(in_seat, key=lambda t: t["start"])
        if end < term["start"]:
            r.error(
                line,
                "term_end",
                _("The term end %(end)s is before the stored term start %(start)s: expected a day on or after it.")
                % {"end": end.isoformat(), "start": term["start"].isoformat()},
            )
            return
        values = {"end": end, "end_reason": row["reason"] or term["end_reason"] or Term.EndReason.COMPLETION}
        if _term_clashes(r, line, row, known, start=term["start"], end=end, seat_id=term["constituency_id"], skip=term):
            return
        change(plan, "legislators.term", ("stored", term["id"]), line, values, term, str(term["label"]))
        term["end"] = end
        return
    same = next((t for t in stored if t["start"] == start), None)
    values = {
        "legislator": row["person"],
        "constituency": seat["id"] if seat else None,
        "party": row["party"],
        "start": start,
        "how_elected": row["how"],
    }
    if end is not None or "term_end" in r.index or same is None:
        values["end"] = end
        values["end_reason"] = (row["reason"] or Term.EndReason.COMPLETION) if end else ""
    final_end = values["end"] if "end" in values else same["end"]
    if _term_clashes(
        r, line, row, known, start=start, end=final_end, seat_id=values["constituency"], skip=same, plan=plan
    ):
        return
    label = f"{_person_label(row, known)} · {seat['number'] if seat else '—'} · {_span(start, final_end)}"
    key = ("stored", same["id"]) if same else (row["person"], start)
    change(plan, "legislators.term", key, line, values, same, label)
    known.planned_terms.append(
        {"person": row["person"], "seat": values["constituency"], "start": start, "end": final_end, "line": line}
    )


def _term_clashes(r, line, row, known, *, start, end, seat_id, skip, plan=None):
    """Error (True) when [start, end] overlaps another term of the person or the seat. A general election's
    term closes the open term before it instead (listed as a change) when ``plan`` is given."""
    person_id = row["person_id"]
    stored = []
    if person_id is not None:
        stored += [(t, "person") for t in known.person_terms(person_id)]
    if seat_id is not None:
        stored += [(t, "seat") for t in known.seat_terms(seat_id) if t["legislator_id"] != person_id]
    clash = False
    for term, why in stored:
        if term is skip or not _overlaps(start, end, term["start"], term["end"]):
            continue
        closable = plan is not None and row["how"] == Term.HowElected.GENERAL and term["end"] is None
        if closable and term["start"] < start:
            moved = why == "person" and term["constituency_id"] != seat_id
            values = {
                "end": start - timedelta(days=1),
                "end_reason": Term.EndReason.SEAT_CHANGE if moved else Term.EndReason.COMPLETION,
            }
            change(plan, "legislators.term", ("stored", term["id"]), line, values, term, str(term["label"]))
            term["end"] = values["end"]
            continue
        clash = True
        if why == "person":
            message = _(
                "This person already has a term %(span)s (%(seat)s) that overlaps %(new)s: expected terms of one "
                "person that do not overlap (end the other term first)."
            ) % {"span": _span(term["start"], term["end"]), "seat": term["seat_label"], "new": _span(start, end)}
        else:
            message = _(
                "The seat is held by %(member)s %(span)s, which overlaps %(new)s: expected one member of a seat at "
                "a time (end that term first)."
            ) % {"member": term["person_name"], "span": _span(term["start"], term["end"]), "new": _span(start, end)}
        r.error(line, "term_start" if row["term_start"] else "term_end", message)
    for planned in known.planned_terms:
        same_person = planned["person"] == row["person"]
        same_seat = seat_id is not None and planned["seat"] == seat_id
        if (same_person or same_seat) and _overlaps(start, end, planned["start"], planned["end"]):
            clash = True
            r.error(
                line,
                "term_start",
                _(
                    "This term overlaps the term on line %(other)s (the same %(what)s): expected terms that do "
                    "not overlap."
                )
                % {"other": planned["line"], "what": _("person") if same_person else _("seat")},
            )
    return clash


def _plan_party(plan, line, party, party_hi, stored, new_parties):
    """A party not yet recorded is created (its Hindi name when the file gives one); a recorded party
    without a Hindi name gets the file's."""
    if not party or party.lower() in new_parties:
        return
    key = party.lower()
    if key not in stored:
        new_parties.add(key)
        values = {"name": party, "short_name": party, "name_hi": party_hi}
        change(plan, "legislators.party", key, line, values, None, party)
    elif party_hi and not stored[key]["name_hi"]:
        new_parties.add(key)
        change(plan, "legislators.party", key, line, {"name_hi": party_hi}, stored[key], party)


def _plan_role(plan, r, row, role, portfolio, known, today):
    """The role on ``role_from`` (a new person: the term's start; else today) as an appointment.

    ``portfolio``: {"portfolio": ..., "portfolio_hi": ...} of the columns the file has."""
    line, person_id = row["line"], row["person_id"]
    day = row["role_from"] or (row["term_start"] if person_id is None else None) or today
    end = row["role_to"]
    stored = [a for a in known.appointments if person_id is not None and a["legislator_id"] == person_id]
    held = next((a for a in stored if _overlaps(day, day, a["start"], a["end"])), None)
    label = f"{_person_label(row, known)} · {role} · {_span(day, end)}"
    same_portfolio = held is not None and all(held.get(name) == value for name, value in portfolio.items())
    if held is not None and held["role"] == role and same_portfolio:
        if end is None or end == held["end"]:
            change(plan, "legislators.appointment", ("stored", held["id"]), line, {}, held, label)
            return
    if held is not None and held["start"] == day:
        if role == Role.MLA:
            r.error(
                line,
                "role",
                _(
                    "The appointment as %(role)s starts on %(day)s: expected a later day to end it (or undo it "
                    "in the admin)."
                )
                % {"role": held["role"], "day": day.isoformat()},
            )
            return
        values = {"role": role, "end": end if end is not None else held["end"], **portfolio}
        change(plan, "legislators.appointment", ("stored", held["id"]), line, values, held, label)
        return
    if held is not None:
        change(
            plan,
            "legislators.appointment",
            ("stored", held["id"]),
            line,
            {"end": day - timedelta(days=1)},
            held,
            f"{_person_label(row, known)} · {held['role']} · {_span(held['start'], day - timedelta(days=1))}",
        )
        if end is None and held["end"] is not None and held["end"] >= day:
            end = held["end"]
    if role == Role.MLA:
        return
    for other in stored:
        if other is not held and _overlaps(day, end, other["start"], other["end"]):
            r.error(
                line,
                "role_from",
                _(
                    "This person is already %(role)s %(span)s, which overlaps %(new)s: expected one appointment at a "
                    "time (end the other one first)."
                )
                % {"role": other["role"], "span": _span(other["start"], other["end"]), "new": _span(day, end)},
            )
            return
    for planned in known.planned_appointments:
        if planned["person"] == row["person"] and _overlaps(day, end, planned["start"], planned["end"]):
            r.error(
                line,
                "role_from",
                _("This appointment overlaps the one on line %(other)s: expected one appointment at a time.")
                % {"other": planned["line"]},
            )
            return
    values = {
        "legislator": row["person"],
        "role": role,
        "portfolio": portfolio.get("portfolio", ""),
        "portfolio_hi": portfolio.get("portfolio_hi", ""),
        "start": day,
        "end": end,
    }
    change(plan, "legislators.appointment", (row["person"], day), line, values, None, label)
    known.planned_appointments.append({"person": row["person"], "start": day, "end": end, "line": line})
