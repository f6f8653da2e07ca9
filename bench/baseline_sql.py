"""The plain SQL each measurement is compared with: the same numbers, no ORM.

These are the "physical limit" side of every ratio. They follow the design's
definitions (metrics/selectors.py, metrics/arithmetic.py): reach from the
latest counts, growth from the count on the window's first day (the exact
day's row, else the latest row before it), electors of the roll in force,
target and stretch lines from the Target in force, rounded up.
"""

from datetime import timedelta


def _on_or_before(alias, day_param, column="followers"):
    """The exact day's row when present, else the latest row before it."""
    return (
        f"CASE WHEN {alias}.account_id IS NULL THEN (SELECT f.{column} FROM metrics_followersnapshot f"
        f" WHERE f.account_id = a.id AND f.day <= %({day_param})s ORDER BY f.day DESC LIMIT 1)"
        f" ELSE {alias}.{column} END"
    )


STANDINGS = f"""
WITH target AS (
    SELECT percent, stretch_percent FROM metrics_target
    WHERE effective_from <= %(day)s ORDER BY effective_from DESC LIMIT 1
),
account_counts AS MATERIALIZED (
    SELECT a.legislator_id, lc.followers AS now,
           {_on_or_before("s7", "d7")} AS f7,
           {_on_or_before("s30", "d30")} AS f30,
           {_on_or_before("s90", "d90")} AS f90
    FROM legislators_socialaccount a
    LEFT JOIN metrics_latestcount lc ON lc.account_id = a.id
    LEFT JOIN metrics_followersnapshot s7 ON s7.account_id = a.id AND s7.day = %(d7)s
    LEFT JOIN metrics_followersnapshot s30 ON s30.account_id = a.id AND s30.day = %(d30)s
    LEFT JOIN metrics_followersnapshot s90 ON s90.account_id = a.id AND s90.day = %(d90)s
    WHERE a.active {{account_where}}
),
per_member AS (
    SELECT legislator_id, sum(now) AS reach,
           sum(now - f7) FILTER (WHERE now IS NOT NULL AND f7 IS NOT NULL) AS growth_7,
           sum(now - f30) FILTER (WHERE now IS NOT NULL AND f30 IS NOT NULL) AS growth_30,
           sum(now - f90) FILTER (WHERE now IS NOT NULL AND f90 IS NOT NULL) AS growth_90
    FROM account_counts GROUP BY legislator_id
),
members AS MATERIALIZED (
    SELECT m.id, m.name, m.role, p.short_name AS party, c.number AS constituency_number,
           c.name AS constituency, d.name AS district, d.division_id,
           CASE WHEN m.constituency_id IS NOT NULL THEN COALESCE(
               (SELECT v.total_electors FROM legislators_voterroll v WHERE v.constituency_id = m.constituency_id
                AND v.published_on <= %(day)s ORDER BY v.published_on DESC LIMIT 1),
               (SELECT v.total_electors FROM legislators_voterroll v WHERE v.constituency_id = m.constituency_id
                ORDER BY v.published_on LIMIT 1)) END AS electors,
           pm.reach, pm.growth_7, pm.growth_30, pm.growth_90
    FROM legislators_legislator m
    LEFT JOIN legislators_party p ON p.id = m.party_id
    LEFT JOIN legislators_constituency c ON c.id = m.constituency_id
    LEFT JOIN legislators_district d ON d.id = c.district_id
    LEFT JOIN per_member pm ON pm.legislator_id = m.id
    WHERE m.active AND (m.term_start IS NULL OR m.term_start <= %(day)s)
      AND (m.term_end IS NULL OR m.term_end >= %(day)s) {{where}}
),
lines AS (
    SELECT members.*,
           CASE WHEN electors > 0 THEN ceil(target.percent * electors / 100) END AS required,
           CASE WHEN electors > 0 THEN ceil(target.stretch_percent * electors / 100) END AS stretch_required
    FROM members CROSS JOIN target
),
standings AS (
    SELECT lines.*,
           CASE WHEN required IS NOT NULL AND reach IS NOT NULL THEN reach * 100.0 / electors END AS share,
           CASE WHEN required IS NULL OR reach IS NULL THEN 'n/a'
                WHEN reach >= stretch_required THEN 'stretch'
                WHEN reach >= required THEN 'meets' ELSE 'below' END AS status,
           CASE WHEN required IS NOT NULL AND reach IS NOT NULL THEN greatest(0, required - reach) END AS needed
    FROM lines
)
SELECT id, name, role, party, constituency_number, constituency, district, electors, reach, share, status, needed,
       growth_7, growth_30, growth_90, growth_30 <= 0 AS stagnant,
       CASE WHEN needed > 0 AND growth_30 > 0 AND ceil(needed * 30.0 / growth_30) <= 1825
            THEN %(day)s + ceil(needed * 30.0 / growth_30)::int END AS projected
       {{summary}}
FROM standings
ORDER BY share IS NULL, share, lower(name), id
{{limit}}
"""

SUMMARY = """,
       count(*) OVER () AS tracked,
       count(*) FILTER (WHERE status <> 'n/a') OVER () AS counted,
       count(*) FILTER (WHERE status IN ('meets', 'stretch')) OVER () AS meets,
       count(*) FILTER (WHERE status = 'stretch') OVER () AS stretch,
       count(*) FILTER (WHERE growth_30 <= 0) OVER () AS stagnant_members,
       sum(reach) FILTER (WHERE status <> 'n/a') OVER () AS total_reach,
       sum(electors) FILTER (WHERE status <> 'n/a') OVER () AS total_electors"""


def standings_params(day):
    return {
        "day": day,
        "d7": day - timedelta(days=7),
        "d30": day - timedelta(days=30),
        "d90": day - timedelta(days=90),
    }


def overview_sql(*, where="", account_where="", page_size=50):
    """Every member's standing, the headline figures and the first page (one query)."""
    return STANDINGS.format(where=where, account_where=account_where, summary=SUMMARY, limit=f"LIMIT {int(page_size)}")


def standings_csv_sql():
    """Every member's standing, all rows (what the standings CSV holds)."""
    return STANDINGS.format(where="", account_where="", summary="", limit="")


MEMBER_HISTORY = """
SELECT a.platform, s.day, sum(s.followers) AS followers
FROM metrics_followersnapshot s JOIN legislators_socialaccount a ON a.id = s.account_id
WHERE a.legislator_id = %(member)s AND a.active AND s.day <= %(day)s
GROUP BY a.platform, s.day ORDER BY s.day, a.platform
"""

# A 1M-row time series: every active account's daily count over a window of days.
TIME_SERIES = """
SELECT m.id AS member_id, m.name AS member, a.platform, a.handle, s.day, s.followers, s.posts
FROM metrics_followersnapshot s
JOIN legislators_socialaccount a ON a.id = s.account_id
JOIN legislators_legislator m ON m.id = a.legislator_id
WHERE s.day BETWEEN %(start)s AND %(end)s AND a.active
ORDER BY s.day, a.id
"""

UPSERT = [
    "CREATE TEMP TABLE bench_poll (account_id bigint, followers bigint, posts bigint) ON COMMIT DROP",
    "COPY bench_poll FROM STDIN",
    """INSERT INTO metrics_followersnapshot (account_id, day, followers, posts, source, fetched_at, evidence_url)
       SELECT account_id, %(day)s, followers, posts, 'demo', %(now)s, '' FROM bench_poll
       ON CONFLICT (account_id, day) DO UPDATE SET followers = excluded.followers, posts = excluded.posts,
           source = excluded.source, fetched_at = excluded.fetched_at, evidence_url = excluded.evidence_url""",
    """INSERT INTO metrics_latestcount (account_id, day, followers, posts, source, fetched_at)
       SELECT account_id, %(day)s, followers, posts, 'demo', %(now)s FROM bench_poll
       ON CONFLICT (account_id) DO UPDATE SET day = excluded.day, followers = excluded.followers,
           posts = excluded.posts, source = excluded.source, fetched_at = excluded.fetched_at
       WHERE metrics_latestcount.day <= excluded.day""",
    """UPDATE legislators_socialaccount a SET status = 'ok', last_checked_at = %(now)s,
           last_success_at = %(now)s, last_error = ''
       FROM bench_poll p WHERE a.id = p.account_id""",
]
