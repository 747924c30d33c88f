"""Keyword search (matching.search) through the API: names with typos, Spanish words, accents, what the words
match, how bad queries are refused, and that the search documents follow every write (docs/search.md)."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection, transaction

from matching import search
from matching.models import SearchDocument
from providers.access import ConfidentialAccess
from providers.models import ServiceArea
from tests import factories

pytestmark = pytest.mark.django_db

HOUSTON = (29.76, -95.37)


@pytest.fixture
def listings(db):
    """A handful of listings in Houston, each findable by something the others lack."""
    tahirih = factories.organization(name="Tahirih Justice Center", description="Immigration help for survivors.")
    catholic = factories.organization(name="Catholic Charities of the Archdiocese", alternate_name="CCAG")
    haven = factories.organization(name="Bay Area Haven")
    made = {
        "tahirih": factories.service(tahirih, name="Immigration Legal Services", needs=("immigration-legal",),
                                     description="Asylum, T visas and U visas for survivors."),
        "catholic": factories.service(catholic, name="Legal Clinic", needs=("legal-civil",)),
        "shelter": factories.service(haven, name="Emergency Shelter", needs=("emergency-shelter",),
                                     eligibility_description="Boys and girls 12 to 17.", languages=("es",)),
        "counsel": factories.service(haven, name="Counseling", needs=("mental-health",),
                                     description="Terapia de trauma en español."),
    }  # fmt: skip
    for index, service in enumerate(made.values()):
        site = factories.location(service.organization, latitude=HOUSTON[0] + index * 0.01, longitude=HOUSTON[1])
        factories.address(site, city="Houston", state_province="TX", postal_code="77002")
        factories.offer(service, site)
    return made


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "words, first",
    [
        ("tahrih", "tahirih"),  # a letter left out
        ("catholic charites", "catholic"),
        ("emergancy shelter", "shelter"),
        ("Tahiríh", "tahirih"),  # accents do not matter
        ("TAHIRIH", "tahirih"),
        ("ccag", "catholic"),  # the alternate name
    ],
)
def test_a_misspelt_or_accented_name_finds_its_listing_first(api, listings, words, first):
    response = api.get("/api/services/", {"q": words})
    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == str(listings[first].pk)


@pytest.mark.parametrize(
    "words, expected",
    [
        ("asilo", "tahirih"),  # immigration-legal's Spanish words
        ("visa T", "tahirih"),
        ("abogado", "catholic"),  # legal services' word: legal-civil is under them
        ("refugio", "shelter"),
        ("albergue", "shelter"),
        ("habla español", "shelter"),  # the language's Spanish name
        ("terapia de trauma", "counsel"),  # Spanish description
        ("a shelter that takes boys", "shelter"),  # not every word is there: the best of some
    ],
)
def test_spanish_and_everyday_words_find_the_right_services(api, listings, words, expected):
    found = [row["id"] for row in api.get("/api/services/", {"q": words}).json()["results"]]
    assert str(listings[expected].pk) in found
    assert len(found) < len(listings)  # not everything


def test_a_word_common_in_either_language_does_not_match_alone(api, listings):
    """A word common in English ("for", no Spanish stop word) or in Spanish ("de"): when no listing holds every
    word, the listings holding only such a word ("help for survivors") are not among those found by any word."""
    for words in ("shelter for women", "shelter de mujeres", "shelter for-women", "shelter de-mujeres"):
        found = search.search(search.clean_query(words), access=ConfidentialAccess())
        assert found.any_word and found.ids("service_id") == [listings["shelter"].pk], words


def test_a_word_not_in_any_listing_finds_nothing(api, listings):
    assert names(api.get("/api/services/", {"q": "xylophone"})) == []


def test_q_works_on_organizations_locations_and_the_hsds_api(api, listings):
    organizations = api.get("/api/organizations/", {"q": "tahirih"}).json()["results"]
    assert [row["name"] for row in organizations] == ["Tahirih Justice Center"]
    located = api.get("/api/locations/", {"q": "tahirih", "near": "29.76,-95.37", "radius_mi": "5"}).json()
    assert [f["properties"]["organization"]["name"] for f in located["features"]] == ["Tahirih Justice Center"]
    hsds = api.get("/hsds/services", {"search": "refugio"}).json()
    assert [row["name"] for row in hsds["contents"]] == ["Emergency Shelter"]
    assert api.get("/hsds/services", {"search": "the"}).status_code == 400


def test_q_combines_with_the_other_filters(api, listings):
    assert names(api.get("/api/services/", {"q": "survivors", "need": "immigration-legal"})) == [
        "Immigration Legal Services"
    ]
    assert names(api.get("/api/services/", {"q": "tahirih", "need": "emergency-shelter"})) == []
    far = api.get("/api/services/", {"q": "tahirih", "near": "40.71,-74.0", "radius_mi": "50"})
    assert names(far) == []


def test_match_takes_words_and_says_what_they_matched(api, listings):
    body = {"near": "29.76,-95.37", "needs": "legal", "q": "tahirih"}
    for response in (api.get("/api/match/", body), api.post("/api/match/", body, format="json")):
        results = response.json()["results"]
        assert [r["organization"]["name"] for r in results] == ["Tahirih Justice Center"]
        assert results[0]["reasons"][0] == "name matches 'tahirih'"
    typo = api.get("/api/match/", {**body, "q": "tahrih"}).json()["results"]
    assert typo[0]["reasons"][0] == "name is close to 'tahrih'"
    # Without words, both legal services.
    assert len(api.get("/api/match/", {"near": "29.76,-95.37", "needs": "legal"}).json()["results"]) == 2


@pytest.mark.parametrize("path", ["/api/services/", "/api/organizations/", "/api/locations/", "/api/match/"])
@pytest.mark.parametrize(
    "value, message",
    [
        ("the", "common word"),
        ("de la", "common word"),
        ("x" * 201, "At most 200 characters"),
    ],
)
def test_a_query_of_common_words_or_too_long_is_a_400_naming_q(api, listings, path, value, message):
    params = {"q": value, "near": "29.76,-95.37", "needs": "legal"} if path == "/api/match/" else {"q": value}
    response = api.get(path, params)
    assert response.status_code == 400
    assert message in response.json()["q"][0]


def test_a_blank_query_is_ignored_and_a_long_one_keeps_its_first_words(api, listings):
    assert len(names(api.get("/api/services/", {"q": "   "}))) == 4
    words = "tahirih " + " ".join(["justice"] * 11) + " xylophone"  # the 13th word is dropped
    assert names(api.get("/api/services/", {"q": words})) == ["Immigration Legal Services"]


def test_suggest_offers_needs_and_names_for_a_prefix_in_the_readers_language(api, listings):
    found = api.get("/api/suggest/", {"q": "tah"}).json()["suggestions"]
    assert {"kind": "organization", "text": "Tahirih Justice Center", "code": ""} in found
    spanish = api.get("/api/suggest/", {"q": "albe"}, HTTP_ACCEPT_LANGUAGE="es").json()["suggestions"]
    assert spanish[0] == {"kind": "need", "text": "Albergue de emergencia", "code": "emergency-shelter"}
    by_synonym = api.get("/api/suggest/", {"q": "asil"}).json()["suggestions"]
    assert by_synonym[0]["code"] == "immigration-legal"
    assert api.get("/api/suggest/", {"q": "t"}).json()["suggestions"] == []
    near = api.get("/api/suggest/", {"q": "leg", "near": "29.76,-95.37"}).json()["suggestions"]
    assert any(s["text"] == "Legal Clinic" for s in near)
    assert api.get("/api/suggest/", {"q": "x" * 201}).status_code == 400
    assert api.get("/api/suggest/", {"q": "leg", "near": "Nowhere At All, ZZ"}).status_code == 400


def test_search_documents_follow_raw_sql_writes_in_the_same_transaction(listings):
    access = ConfidentialAccess()
    service = listings["catholic"]
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE providers_service SET description = 'Wage claims for farmworkers' WHERE id = %s",
                           [service.pk])  # fmt: skip
        assert search.search("farmworkers", access=access).ids("service_id") == [service.pk]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE providers_needterm SET search_words = search_words || ' zanzibarian' "
                           "WHERE code = 'emergency-shelter'")  # fmt: skip
        assert search.search("zanzibarian", access=access).ids("service_id") == [listings["shelter"].pk]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE providers_service SET status = 'inactive' WHERE id = %s", [service.pk])
        assert search.search("farmworkers", access=access).hits == []
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM providers_serviceatlocation WHERE service_id = %s", [listings["tahirih"].pk])
        assert not SearchDocument.objects.filter(service_id=listings["tahirih"].pk).exists()


def test_the_plans_use_the_text_trigram_and_spatial_indexes(listings):
    # A test database is small enough for a scan of the table to be cheapest: the question is whether the
    # statements can use the indexes at all (bench/search_bench.py shows the plans at 1M rows).
    plans = {}
    for name, privileged, column, any_word in (("text", False, None, False), ("typo", True, None, True),
                                               ("near", False, "public_point", False)):  # fmt: skip
        params = {"words": "tahirih", "query": "'tahirih'", "limit": 20, "candidates": 2000, "any_word": any_word,
                  "origin": "SRID=4326;POINT(-95.37 29.76)", "radius_m": 5000, "close": "'tahirih'"}  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + search._statement(privileged, column), params)
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_document_gin" in plans["text"]
    assert "search_withheld_gin" in plans["typo"] and "search_document_gin" in plans["typo"]
    with transaction.atomic(), connection.cursor() as cursor:  # a misspelt word is matched against the names' words
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search.compact(search.render("search_close")), {"words": "tahrih"})
        assert "search_word_trgm_gin" in "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on matching_searchdocument" not in "".join(plans.values())
    # Near a place the spatial index answers with the text's: the point's condition (within the radius, or no point)
    # is a BitmapOr of the GiST index, ANDed with the GIN's bitmap (bench/search_bench.py prints it at scale).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + search._statement(False, "public_point"), params)
        near = "\n".join(row[0] for row in cursor.fetchall())
        # With the place's cells, the text's index finds the area's documents holding the words by itself (the
        # spatial index dropped for the transaction: this small table would rather use it).
        cursor.execute("SELECT search_cells(%(origin)s::geography, %(radius_m)s)::text", params)
        params["cells"] = cursor.fetchone()[0]
        cursor.execute("DROP INDEX search_public_point_gist")
        cursor.execute("EXPLAIN " + search._statement(False, "public_point", cells=True), params)
        cells = "\n".join(row[0] for row in cursor.fetchall())
        # The sites without a point have a partial index of their own (a GiST index is read whole for them).
        cursor.execute("EXPLAIN SELECT 1 FROM matching_searchdocument d WHERE d.public_point IS NULL")
        no_point = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on search_public_point_gist" in near, near
    assert "zzg4" in cells and "Bitmap Index Scan on search_document_gin" in cells, cells
    assert "search_no_public_point" in no_point, no_point


def test_every_match_passes_the_other_filters_not_only_the_best_ranked(api, listings, monkeypatch):
    monkeypatch.setattr(search, "MAX_RANKED", 1)  # only one ranked: the others must still be found
    found = names(api.get("/api/services/", {"q": "survivors"}))
    assert found[0] == "Immigration Legal Services" and len(found) == 1  # the only text saying it
    houston = names(api.get("/api/services/", {"q": "houston"}))
    assert len(houston) == 4  # every listing's city; one ranked, three after it
    assert names(api.get("/api/services/", {"q": "houston", "need": "mental-health"})) == ["Counseling"]
    body = {"near": "29.76,-95.37", "needs": "health", "q": "houston"}
    assert [r["service"]["name"] for r in api.get("/api/match/", body).json()["results"]] == ["Counseling"]


def test_words_find_offers_reached_through_their_service_area(api, listings):
    org = factories.organization(name="Texas Statewide Hotline")
    hotline = factories.service(org, name="Crisis Line", needs=("crisis-hotline",), last_verified_on="2026-11-01")
    site = factories.location(org, latitude=None, longitude=None, location_type="virtual", open_24_7=True)
    texas = MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326)
    ServiceArea.objects.create(service=hotline, name="Texas", extent=texas)
    factories.offer(hotline, site)
    body = {"near": "29.76,-95.37", "radius_mi": "5", "q": "statewide hotline"}
    results = api.get("/api/match/", body).json()["results"]
    assert [r["organization"]["name"] for r in results] == ["Texas Statewide Hotline"]
    assert results[0]["reasons"][0] == "name matches 'statewide hotline'"
    listed = api.get("/api/services/", {"q": "statewide hotline", "near": "29.76,-95.37", "radius_mi": "5"})
    assert names(listed) == ["Crisis Line"]


def test_suggest_names_each_listing_once_however_many_sites_and_folds_letters_as_unaccent_does(api, listings):
    crowded = factories.organization(name="Zephyr Aid")
    for n in range(12):  # twelve services and sites of one organization: still one name among the eight
        service = factories.service(crowded, name=f"Aid {n}", needs=("basic-needs",))
        factories.offer(service, factories.location(crowded, latitude=29 + n * 0.01))
    other = factories.organization(name="Zephyrine Legal Services Center")
    factories.offer(factories.service(other, name="Legal", needs=("legal",)), factories.location(other))
    polish = factories.organization(name="Łódź Survivors Fund")
    factories.offer(factories.service(polish, name="Fund", needs=("basic-needs",)), factories.location(polish))
    texts = [s["text"] for s in api.get("/api/suggest/", {"q": "zep"}).json()["suggestions"]]
    assert texts == ["Zephyr Aid", "Zephyrine Legal Services Center"]
    for typed in ("lod", "łód", "lodz"):
        texts = [s["text"] for s in api.get("/api/suggest/", {"q": typed}).json()["suggestions"]]
        assert texts == ["Łódź Survivors Fund"], typed


def test_a_parent_needs_words_reach_the_services_of_its_children(listings):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE providers_needterm SET search_words = search_words || ' quokkalaw' WHERE code = 'legal'")
    found = search.search("quokkalaw", access=ConfidentialAccess()).ids("service_id")
    assert set(found) == {listings["tahirih"].pk, listings["catholic"].pk}


def test_every_word_in_a_listing_whose_area_covers_the_place_is_not_a_partial_match(api, listings):
    org = factories.organization(name="Quetzalx Statewide Hotline")
    hotline = factories.service(org, name="Crisis Line", needs=("crisis-hotline",), last_verified_on="2026-11-01")
    texas = MultiPolygon(Polygon.from_bbox((-106.6, 25.8, -93.5, 36.5)), srid=4326)
    ServiceArea.objects.create(service=hotline, name="Texas", extent=texas)
    factories.offer(hotline, factories.location(org, latitude=30.27, longitude=-97.74))  # Austin, 140 mi away
    other = factories.organization(name="Quetzalx Desk")  # one of the words, nearby
    factories.offer(factories.service(other, name="Desk", needs=("crisis-hotline",)), factories.location(other))
    near = {"near": "29.76,-95.37", "radius_mi": "5"}
    results = api.get("/api/match/", {**near, "q": "quetzalx statewide"}).json()["results"]
    assert [r["organization"]["name"] for r in results] == ["Quetzalx Statewide Hotline"]
    assert results[0]["reasons"][0] == "name matches 'quetzalx statewide'"
    # Misspelt, the name's other word still finds the statewide line, whose area covers the place; the desk nearby
    # is found by the word "quetzalz" was taken for.
    typo = api.get("/api/match/", {**near, "q": "quetzalz statewide"}).json()["results"]
    assert {r["organization"]["name"] for r in typo} == {"Quetzalx Statewide Hotline", "Quetzalx Desk"}


def test_a_minus_does_not_turn_a_word_into_everything_else(api, listings):
    assert names(api.get("/api/services/", {"q": "-tahirih"})) == ["Immigration Legal Services"]
    assert api.get("/api/services/", {"q": "- --"}).status_code == 400


def test_a_list_without_a_place_keeps_at_most_max_matches_documents(api, listings, monkeypatch):
    monkeypatch.setattr(search, "MAX_MATCHES", 2)
    assert len(names(api.get("/api/services/", {"q": "houston"}))) == 2  # four match; the list keeps two
    near = {"q": "houston", "near": "29.76,-95.37", "radius_mi": "10"}
    assert len(names(api.get("/api/services/", near))) == 4  # near a place, each record is checked: no cap


QUILL = (29.26, -95.87)  # away from the other listings


def _quill_listings() -> None:
    """Two names starting "quill": one at QUILL, one about 20 miles north."""
    for name, north in (("Quillfeather Advocates", 0.0), ("Quillback Legal Collective", 0.3)):
        organization = factories.organization(name=name)
        site = factories.location(organization, latitude=QUILL[0] + north, longitude=QUILL[1])
        factories.offer(factories.service(organization, name="Advice", needs=("legal-civil",)), site)


def _suggested(api, typed: str, near: str | None) -> list[str]:
    params = {"q": typed} | ({"near": near} if near else {})
    return [s["text"] for s in api.get("/api/suggest/", params).json()["suggestions"] if s["kind"] == "organization"]


def test_suggest_answers_a_common_prefix_from_the_nearest_documents(api, listings, monkeypatch):
    """A prefix held by more documents than a step reads is answered by the documents nearest the place (here one
    is read); the names' index is read anywhere only for a prefix few enough documents hold, or none nearby."""
    _quill_listings()
    monkeypatch.setattr(search, "SUGGEST_CANDIDATES", 1)  # "quill" (2 documents) is common
    monkeypatch.setattr(search, "SUGGEST_SAMPLE_MIN", 1)
    monkeypatch.setattr(search, "SUGGEST_SAMPLE", 1)
    monkeypatch.setattr(search, "SUGGEST_ANYWHERE", 1)  # and too common for the index anywhere

    assert _suggested(api, "quill", f"{QUILL[0]},{QUILL[1]}") == ["Quillfeather Advocates"]
    assert _suggested(api, "quill", f"{QUILL[0] + 0.3},{QUILL[1]}") == ["Quillback Legal Collective"]
    # In Houston the nearest document holds no "quill": one match is read anywhere (SUGGEST_CANDIDATES).
    assert _suggested(api, "quill", "29.76,-95.37") in (["Quillfeather Advocates"], ["Quillback Legal Collective"])


@pytest.mark.parametrize("near", [None, (0.0, ["Quillfeather Advocates", "Quillback Legal Collective"]),
                                  (0.3, ["Quillback Legal Collective", "Quillfeather Advocates"])])  # fmt: skip
def test_suggest_reads_every_match_of_a_rare_prefix_nearest_first(api, listings, near):
    _quill_listings()
    if near is None:  # without a place, the shortest first
        assert _suggested(api, "quill", None) == ["Quillfeather Advocates", "Quillback Legal Collective"]
        return
    north, expected = near
    assert _suggested(api, "quill", f"{QUILL[0] + north},{QUILL[1]}") == expected


def test_suggest_reads_the_nearest_from_an_index_alone(listings):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        params = {"query": "'quill':*", "sample": 10, "candidates": 10, "limit": 8, "origin": "SRID=4326;POINT(1 2)"}
        cursor.execute("EXPLAIN " + search._suggest_statement(True, "nearest"), params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using search_suggest_nearest" in plan


@pytest.mark.parametrize(
    ("holding", "documents", "sample", "steps"),
    [
        (600_000, 1_000_000, 100, ["nearest", "anywhere"]),  # "ser": the fewest nearest documents hold plenty
        (20_000, 1_000_000, 1_600, ["nearest", "anywhere"]),  # four per name wanted
        (10_000, 1_000_000, 2_000, ["nearest", "anywhere"]),  # 3,200 would be needed: at most 2,000 read
        (100, 1_000_000, 2_000, ["anywhere"]),  # every match read from the index
        (0, 1_000_000, 2_000, ["anywhere"]),
        (5, 0, 100, ["anywhere"]),  # documents not yet counted by the planner
    ],
)
def test_suggest_steps_follow_how_many_documents_hold_the_prefix(holding, documents, sample, steps):
    assert search._sample(8, holding, documents) == sample
    assert search._suggest_steps(holding) == steps


def _words_and_recount() -> tuple[dict, dict]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word, documents FROM matching_searchword")
        kept = dict(cursor.fetchall())
        cursor.execute(
            "SELECT word, count(*) FROM matching_searchdocument, unnest(tsvector_to_array(name_words)) AS word "
            "GROUP BY word"
        )
        return kept, dict(cursor.fetchall())


def test_the_names_words_follow_every_write_and_a_rebuild(listings):
    from matching import index

    kept, recount = _words_and_recount()
    assert kept == recount and kept["tahirih"] == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE providers_organization SET name = 'Tahiriq Justice Center' WHERE name LIKE 'Tahirih%%'")
    kept, recount = _words_and_recount()
    assert kept == recount and "tahirih" not in kept and kept["tahiriq"] == 1
    assert search.search("tahiriw", access=ConfidentialAccess()).ids("service_id") == [listings["tahirih"].pk]
    listings["counsel"].status = "inactive"
    listings["counsel"].save()
    index.match_index_rebuild()
    kept, recount = _words_and_recount()
    assert kept == recount and "counseling" not in kept


def test_a_misspelt_name_beside_common_words_is_still_found(api, listings, monkeypatch):
    """Only the misspelt word is corrected: the look-alikes of words spelt right ("clinic", "legal") would fill the
    few documents a pass reads before the misspelt name's."""
    monkeypatch.setattr(search, "MAX_CANDIDATES", 2)
    for n in range(4):  # more clinics than the pass reads
        org = factories.organization(name=f"Legal Clinics {n}")
        factories.offer(factories.service(org, name="Legal Clinic", needs=("legal-civil",)), factories.location(org))
    found = search.search(search.clean_query("the legal clinic tahrih"), access=ConfidentialAccess())
    assert listings["tahirih"].pk in found.ids("service_id")
    with connection.cursor() as cursor:
        cursor.execute(search.compact(search.render("search_close")), {"words": "the legal clinic tahrih"})
        assert cursor.fetchone()[0] == "'tahirih'"
