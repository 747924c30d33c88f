-- providers_organization: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'o', r.id FROM new_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_organization: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'o', r.id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.name, n.alternate_name, n.description, n.i18n) IS DISTINCT FROM (o.name, o.alternate_name, o.description, o.i18n))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.name, n.alternate_name, n.description, n.i18n) IS DISTINCT FROM (o.name, o.alternate_name, o.description, o.i18n))) r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_organization: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'o', r.id FROM old_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_organization: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_service: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.id FROM new_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.organization_id, n.name, n.alternate_name, n.description, n.eligibility_description, n.application_process, n.status, n.minimum_age, n.maximum_age, n.last_verified_on, n.interpretation_services, n.i18n) IS DISTINCT FROM (o.organization_id, o.name, o.alternate_name, o.description, o.eligibility_description, o.application_process, o.status, o.minimum_age, o.maximum_age, o.last_verified_on, o.interpretation_services, o.i18n))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.organization_id, n.name, n.alternate_name, n.description, n.eligibility_description, n.application_process, n.status, n.minimum_age, n.maximum_age, n.last_verified_on, n.interpretation_services, n.i18n) IS DISTINCT FROM (o.organization_id, o.name, o.alternate_name, o.description, o.eligibility_description, o.application_process, o.status, o.minimum_age, o.maximum_age, o.last_verified_on, o.interpretation_services, o.i18n))) r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.id FROM old_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_location: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.id FROM new_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_location: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.organization_id, n.name, n.location_type, n.latitude, n.longitude, n.is_confidential, n.public_latitude, n.public_longitude, n.time_zone, n.open_24_7, n.beds_total, n.beds_available, n.accepting_referrals, n.accessibility, n.safe_texts) IS DISTINCT FROM (o.organization_id, o.name, o.location_type, o.latitude, o.longitude, o.is_confidential, o.public_latitude, o.public_longitude, o.time_zone, o.open_24_7, o.beds_total, o.beds_available, o.accepting_referrals, o.accessibility, o.safe_texts))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.organization_id, n.name, n.location_type, n.latitude, n.longitude, n.is_confidential, n.public_latitude, n.public_longitude, n.time_zone, n.open_24_7, n.beds_total, n.beds_available, n.accepting_referrals, n.accessibility, n.safe_texts) IS DISTINCT FROM (o.organization_id, o.name, o.location_type, o.latitude, o.longitude, o.is_confidential, o.public_latitude, o.public_longitude, o.time_zone, o.open_24_7, o.beds_total, o.beds_available, o.accepting_referrals, o.accessibility, o.safe_texts))) r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_location: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.id FROM old_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_location: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_serviceatlocation: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'f', r.id FROM new_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_serviceatlocation: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'f', r.id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.location_id) IS DISTINCT FROM (o.service_id, o.location_id))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.location_id) IS DISTINCT FROM (o.service_id, o.location_id))) r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_serviceatlocation: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'f', r.id FROM old_rows r WHERE r.id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_serviceatlocation: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_address: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM new_rows r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_address: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.attention, n.address_1, n.address_2, n.city, n.region, n.state_province, n.postal_code, n.country, n.address_type) IS DISTINCT FROM (o.location_id, o.attention, o.address_1, o.address_2, o.city, o.region, o.state_province, o.postal_code, o.country, o.address_type))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.attention, n.address_1, n.address_2, n.city, n.region, n.state_province, n.postal_code, n.country, n.address_type) IS DISTINCT FROM (o.location_id, o.attention, o.address_1, o.address_2, o.city, o.region, o.state_province, o.postal_code, o.country, o.address_type))) r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_address: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM old_rows r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_address: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_phone: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM new_rows r WHERE r.location_id IS NOT NULL
UNION
SELECT 's', r.service_id FROM new_rows r WHERE r.service_id IS NOT NULL
UNION
SELECT 'o', r.organization_id FROM new_rows r WHERE r.organization_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_phone: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.organization_id, n.number, n.extension, n.type, n.is_front_door) IS DISTINCT FROM (o.location_id, o.service_id, o.organization_id, o.number, o.extension, o.type, o.is_front_door))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.organization_id, n.number, n.extension, n.type, n.is_front_door) IS DISTINCT FROM (o.location_id, o.service_id, o.organization_id, o.number, o.extension, o.type, o.is_front_door))) r WHERE r.location_id IS NOT NULL
UNION
SELECT 's', r.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.organization_id, n.number, n.extension, n.type, n.is_front_door) IS DISTINCT FROM (o.location_id, o.service_id, o.organization_id, o.number, o.extension, o.type, o.is_front_door))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.organization_id, n.number, n.extension, n.type, n.is_front_door) IS DISTINCT FROM (o.location_id, o.service_id, o.organization_id, o.number, o.extension, o.type, o.is_front_door))) r WHERE r.service_id IS NOT NULL
UNION
SELECT 'o', r.organization_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.organization_id, n.number, n.extension, n.type, n.is_front_door) IS DISTINCT FROM (o.location_id, o.service_id, o.organization_id, o.number, o.extension, o.type, o.is_front_door))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.organization_id, n.number, n.extension, n.type, n.is_front_door) IS DISTINCT FROM (o.location_id, o.service_id, o.organization_id, o.number, o.extension, o.type, o.is_front_door))) r WHERE r.organization_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_phone: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM old_rows r WHERE r.location_id IS NOT NULL
UNION
SELECT 's', r.service_id FROM old_rows r WHERE r.service_id IS NOT NULL
UNION
SELECT 'o', r.organization_id FROM old_rows r WHERE r.organization_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_phone: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_schedule: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM new_rows r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_schedule: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.weekday, n.opens_at, n.closes_at) IS DISTINCT FROM (o.location_id, o.service_id, o.weekday, o.opens_at, o.closes_at))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.weekday, n.opens_at, n.closes_at) IS DISTINCT FROM (o.location_id, o.service_id, o.weekday, o.opens_at, o.closes_at))) r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_schedule: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM old_rows r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_schedule: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_hoursexception: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM new_rows r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_hoursexception: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.starts_on, n.ends_on, n.closed, n.opens_at, n.closes_at) IS DISTINCT FROM (o.location_id, o.service_id, o.starts_on, o.ends_on, o.closed, o.opens_at, o.closes_at))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.location_id, n.service_id, n.starts_on, n.ends_on, n.closed, n.opens_at, n.closes_at) IS DISTINCT FROM (o.location_id, o.service_id, o.starts_on, o.ends_on, o.closed, o.opens_at, o.closes_at))) r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_hoursexception: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 'l', r.location_id FROM old_rows r WHERE r.location_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_hoursexception: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_service_needs: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM new_rows r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_needs: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.needterm_id) IS DISTINCT FROM (o.service_id, o.needterm_id))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.needterm_id) IS DISTINCT FROM (o.service_id, o.needterm_id))) r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_needs: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM old_rows r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_needs: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_service_populations: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM new_rows r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_populations: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.population_id) IS DISTINCT FROM (o.service_id, o.population_id))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.population_id) IS DISTINCT FROM (o.service_id, o.population_id))) r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_populations: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM old_rows r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_populations: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_service_languages: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM new_rows r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_languages: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.language_id) IS DISTINCT FROM (o.service_id, o.language_id))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.service_id, n.language_id) IS DISTINCT FROM (o.service_id, o.language_id))) r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_languages: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', r.service_id FROM old_rows r WHERE r.service_id IS NOT NULL;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_service_languages: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_needterm: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM new_rows r, LATERAL (SELECT service_id FROM providers_service_needs WHERE needterm_id = r.id OR needterm_id IN (SELECT id FROM providers_needterm WHERE parent_id = r.id)) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_needterm: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.name, n.search_words, n.parent_id) IS DISTINCT FROM (o.name, o.search_words, o.parent_id))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.name, n.search_words, n.parent_id) IS DISTINCT FROM (o.name, o.search_words, o.parent_id))) r, LATERAL (SELECT service_id FROM providers_service_needs WHERE needterm_id = r.id OR needterm_id IN (SELECT id FROM providers_needterm WHERE parent_id = r.id)) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_needterm: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM old_rows r, LATERAL (SELECT service_id FROM providers_service_needs WHERE needterm_id = r.id OR needterm_id IN (SELECT id FROM providers_needterm WHERE parent_id = r.id)) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_needterm: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_language: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM new_rows r, LATERAL (SELECT service_id FROM providers_service_languages WHERE language_id = r.code) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_language: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.code = n.code
 WHERE (n.code IS NULL OR o.code IS NULL OR (n.name, n.search_words) IS DISTINCT FROM (o.name, o.search_words))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.code = o.code
 WHERE (n.code IS NULL OR o.code IS NULL OR (n.name, n.search_words) IS DISTINCT FROM (o.name, o.search_words))) r, LATERAL (SELECT service_id FROM providers_service_languages WHERE language_id = r.code) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_language: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM old_rows r, LATERAL (SELECT service_id FROM providers_service_languages WHERE language_id = r.code) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_language: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;

-- providers_population: match_index_insert
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM new_rows r, LATERAL (SELECT service_id FROM providers_service_populations WHERE population_id = r.id) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_population: match_index_update
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM (SELECT n.* FROM new_rows n LEFT JOIN old_rows o ON o.id = n.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.code, n.dimension) IS DISTINCT FROM (o.code, o.dimension))
 UNION ALL
 SELECT o.* FROM old_rows o LEFT JOIN new_rows n ON n.id = o.id
 WHERE (n.id IS NULL OR o.id IS NULL OR (n.code, n.dimension) IS DISTINCT FROM (o.code, o.dimension))) r, LATERAL (SELECT service_id FROM providers_service_populations WHERE population_id = r.id) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_population: match_index_delete
INSERT INTO matching_pending (kind, record_id)
SELECT 's', x.service_id FROM old_rows r, LATERAL (SELECT service_id FROM providers_service_populations WHERE population_id = r.id) x;
IF FOUND THEN
    PERFORM matching_pending_noted();
END IF;
RETURN NULL;

-- providers_population: match_index_truncate
INSERT INTO matching_pending (kind) VALUES ('*');
PERFORM matching_pending_noted();
RETURN NULL;
