-- The counties of the map and their geometric centres. Taken with longitudes from 0 to 360 and put back: a county
-- across the antimeridian (Aleutians West) has its centre in Alaska, where the plain centroid of its two halves puts
-- it in Asia. A county too small for the outlines' scale has an empty shape and no centre: it has no row.
SELECT fips, ST_WrapX(ST_Centroid(ST_ShiftLongitude(geometry)), 180, -360)::geography AS centre
FROM geo_boundary
WHERE kind = 'county' AND NOT ST_IsEmpty(geometry)
