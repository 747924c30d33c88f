-- The match index rows (matching.models.MatchCandidate): one per (need, service at location) of every active
-- service. Scoped (in the refresh), every part reads only the rows of the given ids through their indexes, so a
-- refresh costs the same at 10k rows as at 1M; unscoped (the rebuild), each per-service attribute and each site's
-- hours are aggregated once (hash aggregates) and joined, so the rebuild stays linear in the number of rows.
-- Eligibility is encoded as providers/eligibility.py says (index_fragments).
WITH pop AS (
    SELECT sp.service_id,
           {{age_groups}},
           {{genders}} AS genders,
           {{trafficking_types}} AS trafficking_types,
           {{citizenship}} AS citizenship,
           {{lgbtq}} AS lgbtq
    FROM providers_service_populations sp
    JOIN providers_population p ON p.id = sp.population_id
    WHERE {{scope sp.service_id services}}
    GROUP BY sp.service_id
),
lang AS (
    SELECT service_id, array_agg(language_id ORDER BY language_id) AS codes
    FROM providers_service_languages
    WHERE {{scope service_id services}}
    GROUP BY service_id
),
need AS (
    SELECT service_id, array_agg(needterm_id ORDER BY needterm_id) AS ids
    FROM providers_service_needs
    WHERE {{scope service_id services}}
    GROUP BY service_id
),
hours AS (
    -- Seconds since midnight, truncated (23:59:59.6 must not become 24:00:00, which no time of day is).
    SELECT sc.location_id, sc.service_id,
           array_agg(ARRAY[sc.weekday, floor(EXTRACT(EPOCH FROM sc.opens_at))::int,
                           floor(EXTRACT(EPOCH FROM sc.closes_at))::int]
                     ORDER BY sc.weekday, sc.opens_at, sc.closes_at) AS periods
    FROM providers_schedule sc
    WHERE {{scope sc.location_id locations}}
    GROUP BY sc.location_id, sc.service_id
),
exceptions AS (
    -- The dates a site, or a service there, keeps other hours or is closed, one element a day from two days ago
    -- (earlier ones no longer decide anything), as providers.hours reads them: [negative day, opens, closes], the
    -- day even for a service's own dates and odd for its site's (exception_day), -1 and -1 for closed; and the
    -- closed dates alone (a site's other hours are not those of a service that keeps its own).
    SELECT he.location_id, he.service_id,
           array_agg(x.period ORDER BY day, he.opens_at) AS periods,
           array_agg(x.period ORDER BY day) FILTER (WHERE he.closed) AS closures
    FROM providers_hoursexception he
    CROSS JOIN LATERAL generate_series(GREATEST(he.starts_on, CURRENT_DATE - 2), he.ends_on, interval '1 day') AS day
    CROSS JOIN LATERAL (
        SELECT ARRAY[-(2 * (day::date - DATE '2000-01-01' + 1) + (he.service_id IS NULL)::int),
                     CASE WHEN he.closed THEN -1 ELSE floor(EXTRACT(EPOCH FROM he.opens_at))::int END,
                     CASE WHEN he.closed THEN -1 ELSE floor(EXTRACT(EPOCH FROM he.closes_at))::int END] AS period
    ) x
    WHERE he.ends_on >= CURRENT_DATE - 2 AND {{scope he.location_id locations}}
    GROUP BY he.location_id, he.service_id
),
svc AS (
    SELECT s.id,
           {{minimum_age}} AS min_age,
           {{maximum_age}} AS max_age,
           COALESCE(pop.genders, 0) AS genders,
           COALESCE(pop.trafficking_types, 0) AS trafficking_types,
           COALESCE(pop.citizenship, 0) AS citizenship,
           COALESCE(pop.lgbtq, FALSE) AS lgbtq_specific,
           COALESCE(lang.codes, '{}') AS languages,
           s.last_verified_on,
           btrim(s.interpretation_services) <> '' AS interpretation,
           need.ids AS needs
    FROM providers_service s
    JOIN need ON need.service_id = s.id
    LEFT JOIN pop ON pop.service_id = s.id
    LEFT JOIN lang ON lang.service_id = s.id
    WHERE s.status = 'active' AND {{scope s.id services}}
)
SELECT n.need_id, sal.id, svc.id, l.id, l.organization_id, l.point, l.public_point,
       l.is_confidential, l.location_type = 'virtual', svc.min_age, svc.max_age, svc.genders,
       svc.trafficking_types, svc.citizenship, svc.lgbtq_specific, svc.languages, l.accepting_referrals,
       COALESCE(l.accessibility, '{}'), l.location_type, l.latitude, l.longitude, l.public_latitude, l.public_longitude,
       l.time_zone, l.open_24_7, l.beds_total, l.beds_available, svc.last_verified_on, svc.interpretation,
       svc.needs,
       -- The service's own hours at this site win over the site's; then the dates of both: the site's closures
       -- close every service there, its other hours are those of the services without their own.
       COALESCE(own.periods, site.periods, '{}') || COALESCE(own_dates.periods, '{}')
           || COALESCE(CASE WHEN own.periods IS NULL THEN site_dates.periods ELSE site_dates.closures END, '{}')
FROM svc
JOIN providers_serviceatlocation sal ON sal.service_id = svc.id
JOIN providers_location l ON l.id = sal.location_id
LEFT JOIN hours own ON own.location_id = l.id AND own.service_id = svc.id
LEFT JOIN hours site ON site.location_id = l.id AND site.service_id IS NULL
LEFT JOIN exceptions own_dates ON own_dates.location_id = l.id AND own_dates.service_id = svc.id
LEFT JOIN exceptions site_dates ON site_dates.location_id = l.id AND site_dates.service_id IS NULL
CROSS JOIN unnest(svc.needs) AS n(need_id)
WHERE {{scope sal.id offers}}
