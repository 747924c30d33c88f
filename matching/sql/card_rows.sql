-- The offer cards (matching.models.OfferCard: what a match result shows of an offer) of every service at
-- location, or of those in scope. A site's first address is its first physical one, else its first postal one
-- (by type, then id); an owner's first phone is its first front door, else its first other number, faxes left
-- out.
WITH addr AS (
    SELECT DISTINCT ON (a.location_id) a.*
    FROM providers_address a
    WHERE {{scope a.location_id locations}}
    ORDER BY a.location_id, a.address_type, a.id
),
site AS (
    SELECT DISTINCT ON (p.location_id) p.location_id AS owner, p.number, p.extension, p.type, p.is_front_door
    FROM providers_phone p
    WHERE p.location_id IS NOT NULL AND p.type <> 'fax' AND {{scope p.location_id locations}}
    ORDER BY p.location_id, p.is_front_door DESC, p.id
),
svc AS (
    SELECT DISTINCT ON (p.service_id) p.service_id AS owner, p.number, p.extension, p.type, p.is_front_door
    FROM providers_phone p
    WHERE p.service_id IS NOT NULL AND p.type <> 'fax' AND {{scope p.service_id services}}
    ORDER BY p.service_id, p.is_front_door DESC, p.id
),
own AS (
    SELECT DISTINCT ON (p.organization_id) p.organization_id AS owner, p.number, p.extension, p.type,
           p.is_front_door
    FROM providers_phone p
    WHERE p.organization_id IS NOT NULL AND p.type <> 'fax' AND {{scope p.organization_id organizations}}
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
WHERE {{scope sal.id offers}}
