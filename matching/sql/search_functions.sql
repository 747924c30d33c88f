-- The functions keyword search and its documents share (matching.search, search_rows.sql).

-- A text as search stores and queries it: unaccented, in the english, spanish and simple configurations (stems of
-- both languages, and every word as written, "T" of "visa T" included).
CREATE OR REPLACE FUNCTION search_vector(body text) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT to_tsvector('english'::regconfig, unaccent(COALESCE(body, '')))
        || to_tsvector('spanish'::regconfig, unaccent(COALESCE(body, '')))
        || to_tsvector('simple'::regconfig, unaccent(COALESCE(body, '')))
$fn$;

-- The digest a moderator's safe mark keeps for a text (providers.disclosure.text_digest): sha256 of its UTF-8.
CREATE OR REPLACE FUNCTION search_digest(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT encode(sha256(convert_to(COALESCE(body, ''), 'UTF8')), 'hex')
$fn$;

-- Where a document is, as words of its own: the geohash cells of 4 characters (about 39 x 20 km) and 3 (about
-- 156 km) of the point the public sees ("zzg4dr5r", "zzg3dr5"), or "zznowhere" for a site without a point. A
-- search near a place asks for its words AND one of the cells around the place (search_cells), so the text's
-- index finds the documents of that area holding the words without collecting the country's first.
CREATE OR REPLACE FUNCTION search_places(place geography) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN place IS NULL THEN 'zznowhere'::tsvector
                ELSE array_to_tsvector(ARRAY['zzg4' || ST_GeoHash(place::geometry, 4),
                                             'zzg3' || ST_GeoHash(place::geometry, 3)]) END
$fn$;

-- The cells (search_places) that cover every point within radius_m of origin, OR-ed with "zznowhere", as a
-- tsquery; NULL when the radius is too wide for cells to narrow anything. The cells' size follows the radius:
-- 4 characters up to 100 km, 3 up to 600 km. Points are sampled at a third of a cell across the radius's box,
-- and its edges, so no cell the box touches is missed.
CREATE OR REPLACE FUNCTION search_cells(origin geography, radius_m float8) RETURNS tsquery LANGUAGE sql IMMUTABLE STRICT
PARALLEL SAFE AS $fn$
    WITH box AS (
        -- 2% wider than the radius: a degree of latitude is 110.6 to 111.7 km, and the spheroid is not a sphere.
        SELECT ST_Y(origin::geometry) AS lat, ST_X(origin::geometry) AS lon,
               radius_m * 1.02 / 110574.0 AS dlat,
               radius_m * 1.02 / (111320.0 * GREATEST(cos(radians(LEAST(abs(ST_Y(origin::geometry))
                                                                        + radius_m * 1.02 / 110574.0, 89.0))), 0.01))
                   AS dlon,
               CASE WHEN radius_m <= 100000 THEN 4 ELSE 3 END AS size
    ),
    step AS (
        SELECT box.*, CASE size WHEN 4 THEN 0.17578125 ELSE 1.40625 END / 3 AS dy,
               CASE size WHEN 4 THEN 0.3515625 ELSE 1.40625 END / 3 AS dx
        FROM box
    ),
    cells AS (
        SELECT DISTINCT 'zzg' || size || ST_GeoHash(ST_SetSRID(ST_MakePoint(
                   GREATEST(-180, LEAST(180, LEAST(lon + dlon, lon - dlon + i * dx))),
                   GREATEST(-90, LEAST(90, LEAST(lat + dlat, lat - dlat + j * dy)))), 4326), size) AS cell
        FROM step,
             generate_series(0, ceil(2 * dlon / dx)::int) i,
             generate_series(0, ceil(2 * dlat / dy)::int) j
    )
    -- A box across the antimeridian (the Aleutians) or near a pole is left to the radius alone.
    SELECT CASE WHEN radius_m > 600000 OR lon - dlon < -180 OR lon + dlon > 180 OR abs(lat) + dlat > 89 THEN NULL
                ELSE (SELECT string_agg(quote_literal(cell), ' | ') || ' | ''zznowhere''' FROM cells)::tsquery END
    FROM box
$fn$;
