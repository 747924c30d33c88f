-- The map's light list (/api/locations/map/): one page of the sites the filters (and words) keep, with the count of them all,
-- each with its organization's name and the services offered there. A filter the caller did not give is a
-- parameter that lets every site through, so one text per kind of caller and per `near` is prepared and planned
-- once per connection; an organization, a box (which an index can answer) and words (matching.search.sites_matching:
-- how the search's matches are kept) are in the text when given. The
-- radius, the distance and the box measure and place a site as this kind of caller may see it (providers.map_list,
-- from providers.access).
WITH page AS (
    SELECT l.id, l.name, l.location_type, l.organization_id, l.is_confidential, l.latitude, l.longitude,
           l.public_latitude, l.public_longitude, l.open_24_7, l.beds_total, l.beds_available,
           l.accepting_referrals,
           {{distance}} AS distance,
           count(*) OVER () AS total
      FROM providers_location l
     WHERE {{within}}
       AND {{words}}
       AND {{organization}}
       AND {{bbox}}
       AND (%(location_types)s::varchar[] IS NULL OR l.location_type = ANY(%(location_types)s::varchar[]))
       AND (%(accessibility)s::varchar[] IS NULL OR l.accessibility @> %(accessibility)s::varchar[])
       AND (NOT %(services_filtered)s::boolean OR EXISTS (
            SELECT FROM providers_serviceatlocation sal
              JOIN providers_service s ON s.id = sal.service_id
             WHERE sal.location_id = l.id
               AND (%(statuses)s::varchar[] IS NULL OR s.status = ANY(%(statuses)s::varchar[]))
               AND (%(need_ids)s::bigint[] IS NULL OR EXISTS (
                    SELECT FROM providers_service_needs sn
                     WHERE sn.service_id = s.id AND sn.needterm_id = ANY(%(need_ids)s::bigint[])))
               AND (%(languages)s::varchar[] IS NULL OR EXISTS (
                    SELECT FROM providers_service_languages sl
                     WHERE sl.service_id = s.id AND sl.language_id = ANY(%(languages)s::varchar[])))))
     ORDER BY {{order}}
     LIMIT %(limit)s OFFSET %(offset)s
)
SELECT page.*,
       o.name AS organization_name, o.i18n AS organization_i18n,
       coalesce((SELECT json_agg(json_build_object(
                            'service_at_location_id', sal.id, 'service_id', sal.service_id,
                            'name', s.name, 'status', s.status, 'i18n', s.i18n) ORDER BY sal.id)
                   FROM providers_serviceatlocation sal
                   JOIN providers_service s ON s.id = sal.service_id
                  WHERE sal.location_id = page.id), '[]'::json) AS services
  FROM page
  JOIN providers_organization o ON o.id = page.organization_id
 ORDER BY {{outer_order}}
