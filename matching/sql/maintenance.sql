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
                     + cardinality(scope_organizations) > {{rebuild_above}} THEN
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
    PERFORM pg_advisory_xact_lock({{lock}});
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
    INSERT INTO matching_matchcandidate ({{index_columns}})
{{index_rows_scoped}};
    INSERT INTO matching_offercard ({{card_columns}})
{{card_rows_scoped}};
    -- A service's search documents depend on every site it is offered at (search_rows.sql): all of them again.
    DELETE FROM matching_searchdocument WHERE service_id = ANY(scope_services);
    INSERT INTO matching_searchdocument ({{search_columns}})
{{search_rows_scoped}};
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
    PERFORM pg_advisory_xact_lock({{lock}});
    DELETE FROM matching_pending;
{{analyze_sources}}
    -- One bulk build of the GiST and GIN indexes is much faster than millions of insertions into them.
{{drop_gist_indexes}}
    TRUNCATE matching_matchcandidate, matching_offercard, matching_searchdocument;
    -- Stored by need, then by place (geohash order): the rows one walk returns (the nearest of one need) then sit
    -- on a few pages instead of one page each. Rows refreshed later are appended at the end.
    INSERT INTO matching_matchcandidate ({{index_columns}})
    SELECT * FROM (
{{index_rows_all}}
    ) derived
    ORDER BY 1, ST_GeoHash(COALESCE(derived.public_point, derived.point)::geometry);
    GET DIAGNOSTICS derived = ROW_COUNT;
    INSERT INTO matching_offercard ({{card_columns}})
{{card_rows_all}};
    -- Not stored by place: reads capped at the first N matches without a place (a list, the type-ahead) would
    -- then all come from one corner of the country. Near a place, the cells find an area's documents.
    INSERT INTO matching_searchdocument ({{search_columns}})
{{search_rows_all}};
{{create_gist_indexes}}
    ANALYZE matching_matchcandidate;
    ANALYZE matching_offercard;
    ANALYZE matching_searchdocument;
    ANALYZE matching_searchword;
    RETURN derived;
END
$fn$;
