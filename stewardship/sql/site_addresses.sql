-- The physical addresses of sites (one building when written alike: stewardship.names.address_key); with %(sites)s,
-- only those in the ZIP codes or cities of these sites' addresses.
SELECT a.location_id, a.address_1, a.postal_code, a.city, a.state_province
  FROM providers_address a
 WHERE a.address_type = 'physical'
   AND (%(sites)s::uuid[] IS NULL
        OR left(btrim(a.postal_code), 5) IN (SELECT left(btrim(s.postal_code), 5) FROM providers_address s
                                              WHERE s.location_id = ANY(%(sites)s::uuid[]))
        OR (lower(btrim(a.city)), upper(btrim(a.state_province)))
           IN (SELECT lower(btrim(s.city)), upper(btrim(s.state_province)) FROM providers_address s
                WHERE s.location_id = ANY(%(sites)s::uuid[])))
