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
    WHERE s.status = 'active' AND {{scope s.id services}}
),
needw AS (
    -- A need's words and its parent's ("abogado", of legal services, finds civil legal services).
    SELECT sn.service_id,
           string_agg(concat_ws(' ', nt.name, nt.search_words, parent.name, parent.search_words), ' ') AS words
    FROM providers_service_needs sn
    JOIN providers_needterm nt ON nt.id = sn.needterm_id
    LEFT JOIN providers_needterm parent ON parent.id = nt.parent_id
    WHERE {{scope sn.service_id services}}
    GROUP BY sn.service_id
),
langw AS (
    SELECT sl.service_id, string_agg(lg.name || ' ' || lg.search_words, ' ') AS words
    FROM providers_service_languages sl
    JOIN providers_language lg ON lg.code = sl.language_id
    WHERE {{scope sl.service_id services}}
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
LEFT JOIN langw ON langw.service_id = svc.id
