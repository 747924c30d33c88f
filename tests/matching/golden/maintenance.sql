-- How the database keeps the match index and the offer cards a function of the registry (matching.index
-- installs these functions after every migrate; matching.triggers installs the triggers that call them).
--
-- Every write to a source table, whatever makes it (the ORM, update(), bulk_create, COPY, raw SQL, the admin,
-- a migration), runs a statement trigger that notes the ids it touched in matching_pending and calls
-- matching_pending_noted(). That refreshes their derived rows at once, in the same statement, or, when the
-- transaction asked to defer (matching.index.match_index_deferred, for bulk loads), once before it commits.
-- Pending rows live only inside their transaction: each transaction sees only its own (others' are not
-- committed yet) and takes them all before it commits.

CREATE OR REPLACE FUNCTION matching_pending_noted() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF current_setting('directory.match_index_deferred', true) IS DISTINCT FROM 'on' THEN
        PERFORM matching_flush();
    ELSIF NOT EXISTS (SELECT FROM matching_flushrequest) THEN
        -- Its deferred constraint trigger runs matching_flush() when the transaction commits.
        INSERT INTO matching_flushrequest DEFAULT VALUES;
    END IF;
END
$fn$;


CREATE OR REPLACE FUNCTION matching_flush() RETURNS void LANGUAGE plpgsql SET jit = off AS $fn$
DECLARE
    scope_services uuid[];
    scope_locations uuid[];
    scope_offers uuid[];
    scope_organizations uuid[];
    everything boolean;
    noted bigint;
BEGIN
    WITH taken AS (DELETE FROM matching_pending RETURNING kind, record_id)
    SELECT COALESCE(array_agg(DISTINCT record_id) FILTER (WHERE kind = 's'), '{}'),
           COALESCE(array_agg(DISTINCT record_id) FILTER (WHERE kind = 'l'), '{}'),
           COALESCE(array_agg(DISTINCT record_id) FILTER (WHERE kind = 'f'), '{}'),
           COALESCE(array_agg(DISTINCT record_id) FILTER (WHERE kind = 'o'), '{}'),
           COALESCE(bool_or(kind = '*'), FALSE),
           count(*)
    INTO scope_services, scope_locations, scope_offers, scope_organizations, everything, noted
    FROM taken;
    IF noted = 0 THEN
        RETURN;
    END IF;
    -- Past this many records, deriving everything again is faster than refreshing them one by one.
    IF everything OR cardinality(scope_services) + cardinality(scope_locations) + cardinality(scope_offers)
                     + cardinality(scope_organizations) > 5000 THEN
        IF NOT EXISTS (SELECT FROM providers_serviceatlocation) THEN
            -- Nothing to derive (tables emptied, as test runs do between tests): no index builds. DELETE, not
            -- TRUNCATE: the TRUNCATE that emptied the registry may be emptying these tables in the same statement.
            DELETE FROM matching_matchcandidate;
            DELETE FROM matching_offercard;
            DELETE FROM matching_searchdocument;
        ELSE
            PERFORM matching_rebuild();
        END IF;
        RETURN;
    END IF;
    -- One refresh at a time, until its transaction ends: two concurrent refreshes of the same rows (an edit of a
    -- service and one of its site) would otherwise each delete what their snapshot saw and insert their own copy.
    -- Waiting here, each statement below sees what the previous refresh committed.
    PERFORM pg_advisory_xact_lock(469786452840);
    -- An organization's name and phones are on the cards of its services.
    scope_services := scope_services
        || ARRAY(SELECT id FROM providers_service WHERE organization_id = ANY(scope_organizations));
    DELETE FROM matching_matchcandidate
    WHERE service_id = ANY(scope_services) OR location_id = ANY(scope_locations)
       OR service_at_location_id = ANY(scope_offers);
    DELETE FROM matching_offercard
    WHERE service_id = ANY(scope_services) OR location_id = ANY(scope_locations)
       OR service_at_location_id = ANY(scope_offers);
    DELETE FROM matching_searchdocument
    WHERE service_id = ANY(scope_services) OR location_id = ANY(scope_locations)
       OR service_at_location_id = ANY(scope_offers);
    -- The services at location to derive again, with their services, sites and the services' organizations.
    SELECT COALESCE(array_agg(sal.id), '{}'), COALESCE(array_agg(DISTINCT sal.service_id), '{}'),
           COALESCE(array_agg(DISTINCT sal.location_id), '{}'), COALESCE(array_agg(DISTINCT s.organization_id), '{}')
    INTO scope_offers, scope_services, scope_locations, scope_organizations
    FROM providers_serviceatlocation sal JOIN providers_service s ON s.id = sal.service_id
    WHERE sal.service_id = ANY(scope_services) OR sal.location_id = ANY(scope_locations) OR sal.id = ANY(scope_offers);
    IF cardinality(scope_offers) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO matching_matchcandidate (need_id, service_at_location_id, service_id, location_id, organization_id, point, public_point, is_confidential, is_virtual, min_age, max_age, genders, trafficking_types, citizenship, lgbtq_specific, languages, accepting_referrals, accessibility, location_type, latitude, longitude, public_latitude, public_longitude, time_zone, open_24_7, beds_total, beds_available, last_verified_on, interpretation, service_needs, hours)
    -- The match index rows (matching.models.MatchCandidate): one per (need, service at location) of every active
    -- service. Scoped (in the refresh), every part reads only the rows of the given ids through their indexes, so a
    -- refresh costs the same at 10k rows as at 1M; unscoped (the rebuild), each per-service attribute and each site's
    -- hours are aggregated once (hash aggregates) and joined, so the rebuild stays linear in the number of rows.
    -- Eligibility is encoded as providers/eligibility.py says (index_fragments).
    WITH pop AS (
        SELECT sp.service_id,
               bool_or(p.code = 'adults') AS adults, bool_or(p.code = 'minors') AS minors,
               bit_or(CASE WHEN p.dimension = 'gender' THEN CASE p.code WHEN 'women' THEN 1 WHEN 'men' THEN 2 WHEN 'transgender-nonbinary' THEN 4 ELSE 64 END ELSE 0 END) AS genders,
               bit_or(CASE WHEN p.dimension = 'trafficking_type' THEN CASE p.code WHEN 'sex-trafficking' THEN 1 WHEN 'labor-trafficking' THEN 2 ELSE 64 END ELSE 0 END) AS trafficking_types,
               bit_or(CASE WHEN p.dimension = 'citizenship' THEN CASE p.code WHEN 'foreign-nationals' THEN 1 WHEN 'us-citizens-lpr' THEN 2 ELSE 64 END ELSE 0 END) AS citizenship,
               bool_or(p.code = 'lgbtq') AS lgbtq
        FROM providers_service_populations sp
        JOIN providers_population p ON p.id = sp.population_id
        WHERE sp.service_id = ANY(scope_services)
        GROUP BY sp.service_id
    ),
    lang AS (
        SELECT service_id, array_agg(language_id ORDER BY language_id) AS codes
        FROM providers_service_languages
        WHERE service_id = ANY(scope_services)
        GROUP BY service_id
    ),
    need AS (
        SELECT service_id, array_agg(needterm_id ORDER BY needterm_id) AS ids
        FROM providers_service_needs
        WHERE service_id = ANY(scope_services)
        GROUP BY service_id
    ),
    hours AS (
        -- Seconds since midnight, truncated (23:59:59.6 must not become 24:00:00, which no time of day is).
        SELECT sc.location_id, sc.service_id,
               array_agg(ARRAY[sc.weekday, floor(EXTRACT(EPOCH FROM sc.opens_at))::int,
                               floor(EXTRACT(EPOCH FROM sc.closes_at))::int]
                         ORDER BY sc.weekday, sc.opens_at, sc.closes_at) AS periods
        FROM providers_schedule sc
        WHERE sc.location_id = ANY(scope_locations)
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
        WHERE he.ends_on >= CURRENT_DATE - 2 AND he.location_id = ANY(scope_locations)
        GROUP BY he.location_id, he.service_id
    ),
    svc AS (
        SELECT s.id,
               GREATEST(s.minimum_age, CASE WHEN pop.adults AND NOT pop.minors THEN 18 END) AS min_age,
               LEAST(s.maximum_age, CASE WHEN pop.minors AND NOT pop.adults THEN 17 END) AS max_age,
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
        WHERE s.status = 'active' AND s.id = ANY(scope_services)
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
    WHERE sal.id = ANY(scope_offers);
    INSERT INTO matching_offercard (service_at_location_id, service_id, location_id, organization_id, service_name, organization_name, location_name, address_type, attention, address_1, address_2, city, region, state_province, postal_code, country, site_phone, site_phone_extension, site_phone_type, site_phone_is_front_door, service_phone, service_phone_extension, service_phone_type, service_phone_is_front_door, organization_phone, organization_phone_extension, organization_phone_type, organization_phone_is_front_door)
    -- The offer cards (matching.models.OfferCard: what a match result shows of an offer) of every service at
    -- location, or of those in scope. A site's first address is its first physical one, else its first postal one
    -- (by type, then id); an owner's first phone is its first front door, else its first other number, faxes left
    -- out.
    WITH addr AS (
        SELECT DISTINCT ON (a.location_id) a.*
        FROM providers_address a
        WHERE a.location_id = ANY(scope_locations)
        ORDER BY a.location_id, a.address_type, a.id
    ),
    site AS (
        SELECT DISTINCT ON (p.location_id) p.location_id AS owner, p.number, p.extension, p.type, p.is_front_door
        FROM providers_phone p
        WHERE p.location_id IS NOT NULL AND p.type <> 'fax' AND p.location_id = ANY(scope_locations)
        ORDER BY p.location_id, p.is_front_door DESC, p.id
    ),
    svc AS (
        SELECT DISTINCT ON (p.service_id) p.service_id AS owner, p.number, p.extension, p.type, p.is_front_door
        FROM providers_phone p
        WHERE p.service_id IS NOT NULL AND p.type <> 'fax' AND p.service_id = ANY(scope_services)
        ORDER BY p.service_id, p.is_front_door DESC, p.id
    ),
    own AS (
        SELECT DISTINCT ON (p.organization_id) p.organization_id AS owner, p.number, p.extension, p.type,
               p.is_front_door
        FROM providers_phone p
        WHERE p.organization_id IS NOT NULL AND p.type <> 'fax' AND p.organization_id = ANY(scope_organizations)
        ORDER BY p.organization_id, p.is_front_door DESC, p.id
    )
    SELECT sal.id, s.id, l.id, org.id, s.name, org.name, l.name,
           addr.address_type, addr.attention, addr.address_1, addr.address_2, addr.city, addr.region,
           addr.state_province, addr.postal_code, addr.country,
           site.number, site.extension, site.type, site.is_front_door,
           svc.number, svc.extension, svc.type, svc.is_front_door,
           own.number, own.extension, own.type, own.is_front_door
    FROM providers_serviceatlocation sal
    JOIN providers_service s ON s.id = sal.service_id
    JOIN providers_organization org ON org.id = s.organization_id
    JOIN providers_location l ON l.id = sal.location_id
    LEFT JOIN addr ON addr.location_id = l.id
    LEFT JOIN site ON site.owner = l.id
    LEFT JOIN svc ON svc.owner = s.id
    LEFT JOIN own ON own.owner = org.id
    WHERE sal.id = ANY(scope_offers);
    -- A service's search documents depend on every site it is offered at (search_rows.sql): all of them again.
    DELETE FROM matching_searchdocument WHERE service_id = ANY(scope_services);
    INSERT INTO matching_searchdocument (service_at_location_id, service_id, location_id, organization_id, point, public_point, is_confidential, names, name_words, document, withheld)
    -- The search documents (matching.models.SearchDocument) of every service at location of an active service, or of
    -- those of the services in scope (a service's documents depend on all its sites: see `cleared`). Read after the
    -- offer cards of the same refresh: the city is the card's.
    --
    -- A service's free text goes into `document` (what everyone searches) only where search can tell it is public:
    -- the service is offered at no confidential site, or the text is marked safe (Location.safe_texts, by digest) on
    -- every confidential site it is offered at. Otherwise it goes into `withheld`, searched only by callers who see
    -- every site exactly. providers.disclosure shows the public some of those texts (those that do not name the
    -- site); search leaves them out for the public, which discloses less, never more.
    WITH svc AS (
        -- With each text's Spanish form (providers.translations: the `i18n` column), searched as the English is.
        SELECT s.id, s.organization_id, s.name, s.alternate_name, s.description, s.eligibility_description,
               s.application_process, s.i18n->>'name_es' AS name_es, s.i18n->>'alternate_name_es' AS alternate_name_es,
               s.i18n->>'description_es' AS description_es,
               s.i18n->>'eligibility_description_es' AS eligibility_es, s.i18n->>'application_process_es' AS application_es
        FROM providers_service s
        WHERE s.status = 'active' AND s.id = ANY(scope_services)
    ),
    needw AS (
        -- A need's words and its parent's ("abogado", of legal services, finds civil legal services).
        SELECT sn.service_id,
               string_agg(concat_ws(' ', nt.name, nt.search_words, parent.name, parent.search_words), ' ') AS words
        FROM providers_service_needs sn
        JOIN providers_needterm nt ON nt.id = sn.needterm_id
        LEFT JOIN providers_needterm parent ON parent.id = nt.parent_id
        WHERE sn.service_id = ANY(scope_services)
        GROUP BY sn.service_id
    ),
    langw AS (
        SELECT sl.service_id, string_agg(lg.name || ' ' || lg.search_words, ' ') AS words
        FROM providers_service_languages sl
        JOIN providers_language lg ON lg.code = sl.language_id
        WHERE sl.service_id = ANY(scope_services)
        GROUP BY sl.service_id
    ),
    cleared AS (
        SELECT svc.id,
               COALESCE(bool_and(search_digest(svc.description) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE) AS description,
               COALESCE(bool_and(search_digest(svc.eligibility_description) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                   AS eligibility,
               COALESCE(bool_and(search_digest(svc.application_process) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                   AS application,
               COALESCE(bool_and(search_digest(svc.description_es) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                   AS description_es,
               COALESCE(bool_and(search_digest(svc.eligibility_es) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                   AS eligibility_es,
               COALESCE(bool_and(search_digest(svc.application_es) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                   AS application_es
        FROM svc
        JOIN providers_serviceatlocation x ON x.service_id = svc.id
        JOIN providers_location l ON l.id = x.location_id
        WHERE l.is_confidential
        GROUP BY svc.id
    ),
    texts AS (
        SELECT svc.id,
               concat_ws(' ', CASE WHEN COALESCE(c.description, TRUE) THEN svc.description END,
                              CASE WHEN COALESCE(c.eligibility, TRUE) THEN svc.eligibility_description END,
                              CASE WHEN COALESCE(c.application, TRUE) THEN svc.application_process END,
                              CASE WHEN COALESCE(c.description_es, TRUE) THEN svc.description_es END,
                              CASE WHEN COALESCE(c.eligibility_es, TRUE) THEN svc.eligibility_es END,
                              CASE WHEN COALESCE(c.application_es, TRUE) THEN svc.application_es END) AS shown,
               concat_ws(' ', CASE WHEN NOT COALESCE(c.description, TRUE) THEN svc.description END,
                              CASE WHEN NOT COALESCE(c.eligibility, TRUE) THEN svc.eligibility_description END,
                              CASE WHEN NOT COALESCE(c.application, TRUE) THEN svc.application_process END,
                              CASE WHEN NOT COALESCE(c.description_es, TRUE) THEN svc.description_es END,
                              CASE WHEN NOT COALESCE(c.eligibility_es, TRUE) THEN svc.eligibility_es END,
                              CASE WHEN NOT COALESCE(c.application_es, TRUE) THEN svc.application_es END) AS held
        FROM svc
        LEFT JOIN cleared c ON c.id = svc.id
    )
    SELECT sal.id, svc.id, l.id, svc.organization_id, l.point, l.public_point, l.is_confidential,
           lower(unaccent(names.english)),
           to_tsvector('simple', lower(unaccent(names.english))),
           setweight(search_vector(concat_ws(' ', names.english, names.spanish)), 'A')
           || setweight(search_vector(needw.words), 'B')
           || setweight(search_vector(concat_ws(' ', org.description, org.i18n->>'description_es', texts.shown)), 'C')
           || setweight(search_vector(concat_ws(' ', card.city, langw.words)), 'D')
           || search_places(COALESCE(l.public_point, l.point)),
           CASE WHEN btrim(texts.held) <> '' THEN setweight(search_vector(texts.held), 'C') END
    FROM svc
    JOIN texts ON texts.id = svc.id
    JOIN providers_organization org ON org.id = svc.organization_id
    -- The names as written (the type-ahead suggests them, and typos are matched against their words) and their
    -- Spanish forms (found by the words, as the rest of the text).
    CROSS JOIN LATERAL (SELECT concat_ws(' ', org.name, org.alternate_name, svc.name, svc.alternate_name) AS english,
                               concat_ws(' ', org.i18n->>'name_es', org.i18n->>'alternate_name_es', svc.name_es,
                                         svc.alternate_name_es) AS spanish) names
    JOIN providers_serviceatlocation sal ON sal.service_id = svc.id
    JOIN providers_location l ON l.id = sal.location_id
    LEFT JOIN matching_offercard card ON card.service_at_location_id = sal.id
    LEFT JOIN needw ON needw.service_id = svc.id
    LEFT JOIN langw ON langw.service_id = svc.id;
END
$fn$;


-- Rebuilds follow bulk loads (COPY, imports), when the planner's statistics of the source tables may describe
-- tables a thousandth of their size, and a nested loop over the per-site hours was then very slow. So: fresh
-- statistics, and hash joins only for this whole-table derivation. No JIT in either function (the app's own
-- connections turn it off; a pooler's may not): the disabled nested loops' cost made PostgreSQL compile the
-- derivation, for much longer than it runs.
CREATE OR REPLACE FUNCTION matching_rebuild() RETURNS bigint LANGUAGE plpgsql SET enable_nestloop = off SET jit = off AS $fn$
DECLARE
    derived bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(469786452840);
    DELETE FROM matching_pending;
    ANALYZE providers_service;
    ANALYZE providers_service_populations;
    ANALYZE providers_population;
    ANALYZE providers_service_languages;
    ANALYZE providers_service_needs;
    ANALYZE providers_schedule;
    ANALYZE providers_serviceatlocation;
    ANALYZE providers_location;
    ANALYZE providers_organization;
    ANALYZE providers_address;
    ANALYZE providers_phone;
    ANALYZE providers_needterm;
    ANALYZE providers_language;
    -- One bulk build of the GiST and GIN indexes is much faster than millions of insertions into them.
    DROP INDEX IF EXISTS "match_need_cit_point_gist";
    DROP INDEX IF EXISTS "match_need_cit_pub_point_gist";
    DROP INDEX IF EXISTS "search_document_gin";
    DROP INDEX IF EXISTS "search_withheld_gin";
    DROP INDEX IF EXISTS "search_name_words_gin";
    DROP INDEX IF EXISTS "search_point_gist";
    DROP INDEX IF EXISTS "search_public_point_gist";
    DROP INDEX IF EXISTS "search_suggest_nearest";
    TRUNCATE matching_matchcandidate, matching_offercard, matching_searchdocument;
    -- Stored by need, then by place (geohash order): the rows one walk returns (the nearest of one need) then sit
    -- on a few pages instead of one page each. Rows refreshed later are appended at the end.
    INSERT INTO matching_matchcandidate (need_id, service_at_location_id, service_id, location_id, organization_id, point, public_point, is_confidential, is_virtual, min_age, max_age, genders, trafficking_types, citizenship, lgbtq_specific, languages, accepting_referrals, accessibility, location_type, latitude, longitude, public_latitude, public_longitude, time_zone, open_24_7, beds_total, beds_available, last_verified_on, interpretation, service_needs, hours)
    SELECT * FROM (
        -- The match index rows (matching.models.MatchCandidate): one per (need, service at location) of every active
        -- service. Scoped (in the refresh), every part reads only the rows of the given ids through their indexes, so a
        -- refresh costs the same at 10k rows as at 1M; unscoped (the rebuild), each per-service attribute and each site's
        -- hours are aggregated once (hash aggregates) and joined, so the rebuild stays linear in the number of rows.
        -- Eligibility is encoded as providers/eligibility.py says (index_fragments).
        WITH pop AS (
            SELECT sp.service_id,
                   bool_or(p.code = 'adults') AS adults, bool_or(p.code = 'minors') AS minors,
                   bit_or(CASE WHEN p.dimension = 'gender' THEN CASE p.code WHEN 'women' THEN 1 WHEN 'men' THEN 2 WHEN 'transgender-nonbinary' THEN 4 ELSE 64 END ELSE 0 END) AS genders,
                   bit_or(CASE WHEN p.dimension = 'trafficking_type' THEN CASE p.code WHEN 'sex-trafficking' THEN 1 WHEN 'labor-trafficking' THEN 2 ELSE 64 END ELSE 0 END) AS trafficking_types,
                   bit_or(CASE WHEN p.dimension = 'citizenship' THEN CASE p.code WHEN 'foreign-nationals' THEN 1 WHEN 'us-citizens-lpr' THEN 2 ELSE 64 END ELSE 0 END) AS citizenship,
                   bool_or(p.code = 'lgbtq') AS lgbtq
            FROM providers_service_populations sp
            JOIN providers_population p ON p.id = sp.population_id
            WHERE TRUE
            GROUP BY sp.service_id
        ),
        lang AS (
            SELECT service_id, array_agg(language_id ORDER BY language_id) AS codes
            FROM providers_service_languages
            WHERE TRUE
            GROUP BY service_id
        ),
        need AS (
            SELECT service_id, array_agg(needterm_id ORDER BY needterm_id) AS ids
            FROM providers_service_needs
            WHERE TRUE
            GROUP BY service_id
        ),
        hours AS (
            -- Seconds since midnight, truncated (23:59:59.6 must not become 24:00:00, which no time of day is).
            SELECT sc.location_id, sc.service_id,
                   array_agg(ARRAY[sc.weekday, floor(EXTRACT(EPOCH FROM sc.opens_at))::int,
                                   floor(EXTRACT(EPOCH FROM sc.closes_at))::int]
                             ORDER BY sc.weekday, sc.opens_at, sc.closes_at) AS periods
            FROM providers_schedule sc
            WHERE TRUE
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
            WHERE he.ends_on >= CURRENT_DATE - 2 AND TRUE
            GROUP BY he.location_id, he.service_id
        ),
        svc AS (
            SELECT s.id,
                   GREATEST(s.minimum_age, CASE WHEN pop.adults AND NOT pop.minors THEN 18 END) AS min_age,
                   LEAST(s.maximum_age, CASE WHEN pop.minors AND NOT pop.adults THEN 17 END) AS max_age,
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
            WHERE s.status = 'active' AND TRUE
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
        WHERE TRUE
    ) derived
    ORDER BY 1, ST_GeoHash(COALESCE(derived.public_point, derived.point)::geometry);
    GET DIAGNOSTICS derived = ROW_COUNT;
    INSERT INTO matching_offercard (service_at_location_id, service_id, location_id, organization_id, service_name, organization_name, location_name, address_type, attention, address_1, address_2, city, region, state_province, postal_code, country, site_phone, site_phone_extension, site_phone_type, site_phone_is_front_door, service_phone, service_phone_extension, service_phone_type, service_phone_is_front_door, organization_phone, organization_phone_extension, organization_phone_type, organization_phone_is_front_door)
        -- The offer cards (matching.models.OfferCard: what a match result shows of an offer) of every service at
        -- location, or of those in scope. A site's first address is its first physical one, else its first postal one
        -- (by type, then id); an owner's first phone is its first front door, else its first other number, faxes left
        -- out.
        WITH addr AS (
            SELECT DISTINCT ON (a.location_id) a.*
            FROM providers_address a
            WHERE TRUE
            ORDER BY a.location_id, a.address_type, a.id
        ),
        site AS (
            SELECT DISTINCT ON (p.location_id) p.location_id AS owner, p.number, p.extension, p.type, p.is_front_door
            FROM providers_phone p
            WHERE p.location_id IS NOT NULL AND p.type <> 'fax' AND TRUE
            ORDER BY p.location_id, p.is_front_door DESC, p.id
        ),
        svc AS (
            SELECT DISTINCT ON (p.service_id) p.service_id AS owner, p.number, p.extension, p.type, p.is_front_door
            FROM providers_phone p
            WHERE p.service_id IS NOT NULL AND p.type <> 'fax' AND TRUE
            ORDER BY p.service_id, p.is_front_door DESC, p.id
        ),
        own AS (
            SELECT DISTINCT ON (p.organization_id) p.organization_id AS owner, p.number, p.extension, p.type,
                   p.is_front_door
            FROM providers_phone p
            WHERE p.organization_id IS NOT NULL AND p.type <> 'fax' AND TRUE
            ORDER BY p.organization_id, p.is_front_door DESC, p.id
        )
        SELECT sal.id, s.id, l.id, org.id, s.name, org.name, l.name,
               addr.address_type, addr.attention, addr.address_1, addr.address_2, addr.city, addr.region,
               addr.state_province, addr.postal_code, addr.country,
               site.number, site.extension, site.type, site.is_front_door,
               svc.number, svc.extension, svc.type, svc.is_front_door,
               own.number, own.extension, own.type, own.is_front_door
        FROM providers_serviceatlocation sal
        JOIN providers_service s ON s.id = sal.service_id
        JOIN providers_organization org ON org.id = s.organization_id
        JOIN providers_location l ON l.id = sal.location_id
        LEFT JOIN addr ON addr.location_id = l.id
        LEFT JOIN site ON site.owner = l.id
        LEFT JOIN svc ON svc.owner = s.id
        LEFT JOIN own ON own.owner = org.id
        WHERE TRUE;
    -- Not stored by place: reads capped at the first N matches without a place (a list, the type-ahead) would
    -- then all come from one corner of the country. Near a place, the cells find an area's documents.
    INSERT INTO matching_searchdocument (service_at_location_id, service_id, location_id, organization_id, point, public_point, is_confidential, names, name_words, document, withheld)
        -- The search documents (matching.models.SearchDocument) of every service at location of an active service, or of
        -- those of the services in scope (a service's documents depend on all its sites: see `cleared`). Read after the
        -- offer cards of the same refresh: the city is the card's.
        --
        -- A service's free text goes into `document` (what everyone searches) only where search can tell it is public:
        -- the service is offered at no confidential site, or the text is marked safe (Location.safe_texts, by digest) on
        -- every confidential site it is offered at. Otherwise it goes into `withheld`, searched only by callers who see
        -- every site exactly. providers.disclosure shows the public some of those texts (those that do not name the
        -- site); search leaves them out for the public, which discloses less, never more.
        WITH svc AS (
            -- With each text's Spanish form (providers.translations: the `i18n` column), searched as the English is.
            SELECT s.id, s.organization_id, s.name, s.alternate_name, s.description, s.eligibility_description,
                   s.application_process, s.i18n->>'name_es' AS name_es, s.i18n->>'alternate_name_es' AS alternate_name_es,
                   s.i18n->>'description_es' AS description_es,
                   s.i18n->>'eligibility_description_es' AS eligibility_es, s.i18n->>'application_process_es' AS application_es
            FROM providers_service s
            WHERE s.status = 'active' AND TRUE
        ),
        needw AS (
            -- A need's words and its parent's ("abogado", of legal services, finds civil legal services).
            SELECT sn.service_id,
                   string_agg(concat_ws(' ', nt.name, nt.search_words, parent.name, parent.search_words), ' ') AS words
            FROM providers_service_needs sn
            JOIN providers_needterm nt ON nt.id = sn.needterm_id
            LEFT JOIN providers_needterm parent ON parent.id = nt.parent_id
            WHERE TRUE
            GROUP BY sn.service_id
        ),
        langw AS (
            SELECT sl.service_id, string_agg(lg.name || ' ' || lg.search_words, ' ') AS words
            FROM providers_service_languages sl
            JOIN providers_language lg ON lg.code = sl.language_id
            WHERE TRUE
            GROUP BY sl.service_id
        ),
        cleared AS (
            SELECT svc.id,
                   COALESCE(bool_and(search_digest(svc.description) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE) AS description,
                   COALESCE(bool_and(search_digest(svc.eligibility_description) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                       AS eligibility,
                   COALESCE(bool_and(search_digest(svc.application_process) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                       AS application,
                   COALESCE(bool_and(search_digest(svc.description_es) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                       AS description_es,
                   COALESCE(bool_and(search_digest(svc.eligibility_es) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                       AS eligibility_es,
                   COALESCE(bool_and(search_digest(svc.application_es) = ANY(COALESCE(l.safe_texts, '{}'))), TRUE)
                       AS application_es
            FROM svc
            JOIN providers_serviceatlocation x ON x.service_id = svc.id
            JOIN providers_location l ON l.id = x.location_id
            WHERE l.is_confidential
            GROUP BY svc.id
        ),
        texts AS (
            SELECT svc.id,
                   concat_ws(' ', CASE WHEN COALESCE(c.description, TRUE) THEN svc.description END,
                                  CASE WHEN COALESCE(c.eligibility, TRUE) THEN svc.eligibility_description END,
                                  CASE WHEN COALESCE(c.application, TRUE) THEN svc.application_process END,
                                  CASE WHEN COALESCE(c.description_es, TRUE) THEN svc.description_es END,
                                  CASE WHEN COALESCE(c.eligibility_es, TRUE) THEN svc.eligibility_es END,
                                  CASE WHEN COALESCE(c.application_es, TRUE) THEN svc.application_es END) AS shown,
                   concat_ws(' ', CASE WHEN NOT COALESCE(c.description, TRUE) THEN svc.description END,
                                  CASE WHEN NOT COALESCE(c.eligibility, TRUE) THEN svc.eligibility_description END,
                                  CASE WHEN NOT COALESCE(c.application, TRUE) THEN svc.application_process END,
                                  CASE WHEN NOT COALESCE(c.description_es, TRUE) THEN svc.description_es END,
                                  CASE WHEN NOT COALESCE(c.eligibility_es, TRUE) THEN svc.eligibility_es END,
                                  CASE WHEN NOT COALESCE(c.application_es, TRUE) THEN svc.application_es END) AS held
            FROM svc
            LEFT JOIN cleared c ON c.id = svc.id
        )
        SELECT sal.id, svc.id, l.id, svc.organization_id, l.point, l.public_point, l.is_confidential,
               lower(unaccent(names.english)),
               to_tsvector('simple', lower(unaccent(names.english))),
               setweight(search_vector(concat_ws(' ', names.english, names.spanish)), 'A')
               || setweight(search_vector(needw.words), 'B')
               || setweight(search_vector(concat_ws(' ', org.description, org.i18n->>'description_es', texts.shown)), 'C')
               || setweight(search_vector(concat_ws(' ', card.city, langw.words)), 'D')
               || search_places(COALESCE(l.public_point, l.point)),
               CASE WHEN btrim(texts.held) <> '' THEN setweight(search_vector(texts.held), 'C') END
        FROM svc
        JOIN texts ON texts.id = svc.id
        JOIN providers_organization org ON org.id = svc.organization_id
        -- The names as written (the type-ahead suggests them, and typos are matched against their words) and their
        -- Spanish forms (found by the words, as the rest of the text).
        CROSS JOIN LATERAL (SELECT concat_ws(' ', org.name, org.alternate_name, svc.name, svc.alternate_name) AS english,
                                   concat_ws(' ', org.i18n->>'name_es', org.i18n->>'alternate_name_es', svc.name_es,
                                             svc.alternate_name_es) AS spanish) names
        JOIN providers_serviceatlocation sal ON sal.service_id = svc.id
        JOIN providers_location l ON l.id = sal.location_id
        LEFT JOIN matching_offercard card ON card.service_at_location_id = sal.id
        LEFT JOIN needw ON needw.service_id = svc.id
        LEFT JOIN langw ON langw.service_id = svc.id;
    CREATE INDEX "match_need_cit_point_gist" ON "matching_matchcandidate" USING gist ("need_id", "citizenship", "point");
    CREATE INDEX "match_need_cit_pub_point_gist" ON "matching_matchcandidate" USING gist ("need_id", "citizenship", "public_point");
    CREATE INDEX "search_document_gin" ON "matching_searchdocument" USING gin ("document");
    CREATE INDEX "search_withheld_gin" ON "matching_searchdocument" USING gin ("withheld");
    CREATE INDEX "search_name_words_gin" ON "matching_searchdocument" USING gin ("name_words");
    CREATE INDEX "search_point_gist" ON "matching_searchdocument" USING GIST ("point");
    CREATE INDEX "search_public_point_gist" ON "matching_searchdocument" USING GIST ("public_point");
    CREATE INDEX "search_suggest_nearest" ON "matching_searchdocument" USING gist ((geometry("public_point"))) INCLUDE ("service_at_location_id", "public_point", "name_words");
    ANALYZE matching_matchcandidate;
    ANALYZE matching_offercard;
    ANALYZE matching_searchdocument;
    ANALYZE matching_searchword;
    RETURN derived;
END
$fn$;
