"""The plain SQL read of the stored standings (``metrics_dailystanding``) that each page does the work of.

These are the baselines of issue 14 item 7: a page reading the stored rows should cost at most twice
the plain queries that read the same rows. Every query reads one day's rows through the table's
indexes ((day, share), (day, division, share), (member, day)) and joins today's names; members' rows
only (``NOT s.aspirant``: the aspirants' rows are kept apart in the same table).
"""

ROW_COLUMNS = """
    s.member_id, m.name, m.name_hi, s.role, p.short_name AS party, c.number AS constituency_number,
    c.name AS constituency, d.name AS district, s.electors, s.followers_x, s.followers_facebook,
    s.followers_instagram, s.followers_youtube, s.reach, s.share, s.status, s.needed, s.growth_7, s.growth_30,
    s.growth_90, s.stagnant, s.projected_on, s.projection
"""

ROWS = f"""
SELECT {ROW_COLUMNS}
FROM metrics_dailystanding s
JOIN legislators_legislator m ON m.id = s.member_id
LEFT JOIN legislators_party p ON p.id = s.party_id
LEFT JOIN legislators_constituency c ON c.id = s.constituency_id
LEFT JOIN legislators_district d ON d.id = s.district_id
WHERE s.day = %(day)s AND NOT s.aspirant {{where}}
ORDER BY s.share ASC NULLS LAST, s.member_id
{{limit}}
"""

SUMMARY = """
SELECT count(*) AS tracked,
       count(*) FILTER (WHERE s.status <> 'n/a') AS counted,
       count(*) FILTER (WHERE s.status IN ('meets', 'stretch')) AS meets,
       count(*) FILTER (WHERE s.status = 'stretch') AS stretch,
       count(*) FILTER (WHERE s.stagnant) AS stagnant,
       sum(s.reach) FILTER (WHERE s.status <> 'n/a') AS total_reach,
       sum(s.electors) FILTER (WHERE s.status <> 'n/a') AS total_electors
FROM metrics_dailystanding s
WHERE s.day = %(day)s AND NOT s.aspirant {where}
"""

# The overview's three lists of ten: furthest below the target, fastest growing, slipping.
TOPS = """
(SELECT 'furthest' AS list, s.member_id, s.share FROM metrics_dailystanding s
 WHERE s.day = %(day)s AND NOT s.aspirant AND s.status = 'below' ORDER BY s.share, s.member_id LIMIT 10)
UNION ALL
(SELECT 'fastest', s.member_id, s.growth_30 * 100.0 / nullif(s.reach - s.growth_30, 0) FROM metrics_dailystanding s
 WHERE s.day = %(day)s AND NOT s.aspirant AND s.growth_30 > 0
 ORDER BY s.growth_30 * 100.0 / nullif(s.reach - s.growth_30, 0) DESC NULLS LAST, s.member_id LIMIT 10)
UNION ALL
(SELECT 'slipping', s.member_id, s.share FROM metrics_dailystanding s
 WHERE s.day = %(day)s AND NOT s.aspirant AND s.status IN ('meets', 'stretch') AND s.growth_30 < 0
 ORDER BY s.share, s.member_id LIMIT 10)
"""

# The distribution chart: members per half-point band of share.
DISTRIBUTION = """
SELECT floor(s.share / 0.5)::int AS band, count(*)
FROM metrics_dailystanding s
WHERE s.day = %(day)s AND NOT s.aspirant AND s.share IS NOT NULL {where}
GROUP BY 1 ORDER BY 1
"""

# The weekly progress chart: 26 weeks, one aggregate per week's last day.
PROGRESS = """
SELECT s.day, count(*), count(*) FILTER (WHERE s.status <> 'n/a'),
       count(*) FILTER (WHERE s.status IN ('meets', 'stretch')), count(*) FILTER (WHERE s.status = 'stretch'),
       count(*) FILTER (WHERE s.stagnant), sum(s.reach), sum(s.electors)
FROM metrics_dailystanding s
WHERE s.day = ANY(%(weeks)s) AND NOT s.aspirant {where}
GROUP BY s.day ORDER BY s.day
"""

# A division's page: its districts' rollups (and the total) from the stored rows.
DISTRICT_ROLLUPS = """
SELECT s.district_id, d.name, d.name_hi, count(*) AS tracked,
       count(*) FILTER (WHERE s.status <> 'n/a') AS counted,
       count(*) FILTER (WHERE s.status IN ('meets', 'stretch')) AS meets,
       count(*) FILTER (WHERE s.status = 'stretch') AS stretch,
       count(*) FILTER (WHERE s.stagnant) AS stagnant,
       sum(s.reach) FILTER (WHERE s.status <> 'n/a') AS reach,
       sum(s.electors) FILTER (WHERE s.status <> 'n/a') AS electors
FROM metrics_dailystanding s LEFT JOIN legislators_district d ON d.id = s.district_id
WHERE s.day = %(day)s AND NOT s.aspirant AND s.division_id = %(division)s
GROUP BY s.district_id, d.name, d.name_hi
ORDER BY sum(s.reach) FILTER (WHERE s.status <> 'n/a') * 1.0
         / nullif(sum(s.electors) FILTER (WHERE s.status <> 'n/a'), 0)
"""

# A member's page: the member today, the accounts with their latest counts, the stored history
# (per platform and combined, every day) and the voter rolls.
MEMBER_TODAY = ROWS.format(where="AND s.member_id = %(member)s", limit="")
MEMBER_ACCOUNTS = """
SELECT a.id, a.platform, a.handle, a.status, lc.day, lc.followers, lc.posts
FROM legislators_socialaccount a LEFT JOIN metrics_latestcount lc ON lc.account_id = a.id
WHERE a.legislator_id = %(member)s ORDER BY a.platform, a.handle
"""
MEMBER_HISTORY = """
SELECT s.day, s.followers_x, s.followers_facebook, s.followers_instagram, s.followers_youtube, s.reach, s.electors
FROM metrics_dailystanding s WHERE s.member_id = %(member)s AND NOT s.aspirant AND s.day <= %(day)s ORDER BY s.day
"""
MEMBER_ROLLS = """
SELECT v.published_on, v.total_electors FROM legislators_voterroll v
JOIN legislators_legislator m ON m.constituency_id = v.constituency_id
WHERE m.id = %(member)s ORDER BY v.published_on
"""


def overview_queries(page_size=50):
    """(sql, uses_where) of the overview: a page of rows, the headline, the tops, the two charts."""
    return [
        ROWS.format(where="", limit=f"LIMIT {int(page_size)}"),
        SUMMARY.format(where=""),
        TOPS,
        DISTRIBUTION.format(where=""),
        PROGRESS.format(where=""),
    ]


def division_queries():
    return [DISTRICT_ROLLUPS, SUMMARY.format(where="AND s.division_id = %(division)s")]


def member_queries():
    return [MEMBER_TODAY, MEMBER_ACCOUNTS, MEMBER_HISTORY, MEMBER_ROLLS]


def standings_csv_sql():
    """Every member's stored row of the day, with names: what the standings CSV holds."""
    return ROWS.format(where="", limit="")
