// What the pages' maps draw with no tile server (geo/basemap.py): state outlines, county outlines from zoom 7,
// and the names of places, fewer and larger the further out. With MAP_TILE_URL set, tiles go on top of the
// background and only the state outlines are added (the tiles have the rest).
(function () {
  "use strict";
  const COUNTY_ZOOM = 7;
  // Street-delivery ZIP codes a place needs before it is named at a zoom (the gazetteer's measure of size).
  const MIN_ZIP_CODES = [[10, 1], [9, 2], [8, 3], [7, 5], [6, 10], [5, 20], [0, 40]];
  const MAX_LABELS = 60;

  function minZipCodes(zoom) {
    for (const [from, count] of MIN_ZIP_CODES) if (zoom >= from) return count;
    return 40;
  }

  window.drawBasemap = function (map, config) {
    // Under the results (overlay pane, 400) and above tiles (200); never in the way of a click.
    for (const [name, z] of [["outlines", 350], ["placeNames", 360]]) {
      map.createPane(name).style.zIndex = z;
      map.getPane(name).style.pointerEvents = "none";
    }
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 18, attribution: "© OpenStreetMap contributors" }).addTo(map);
    } else {
      map.getContainer().classList.add("no-tiles");
    }
    fetch(config.statesUrl).then((r) => r.json()).then((geojson) => {
      L.geoJSON(geojson, { pane: "outlines", style: { color: "#52606d", weight: 1.2, fill: false }, interactive: false }).addTo(map);
    }).catch(() => {});
    if (config.tiles) return;

    const counties = L.layerGroup();
    const labels = L.layerGroup().addTo(map);
    const drawnCounties = new Set();
    const cells = new Map();  // "x:y" -> places of the cell once loaded (null while loading)
    let nationalPlaces = [];

    fetch(config.placesUrl).then((r) => r.json()).then((places) => { nationalPlaces = places; drawLabels(); }).catch(() => {});

    function visibleCells() {
      const b = map.getBounds(), size = config.cellDegrees, keys = [];
      const x0 = Math.floor((Math.max(b.getWest(), -180) + 180) / size), x1 = Math.floor((Math.min(b.getEast(), 179.999) + 180) / size);
      const y0 = Math.floor((Math.max(b.getSouth(), -90) + 90) / size), y1 = Math.floor((Math.min(b.getNorth(), 89.999) + 90) / size);
      for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) keys.push([x, y]);
      return keys;
    }

    function loadCell(x, y) {
      const key = x + ":" + y;
      if (cells.has(key)) return;
      cells.set(key, null);
      fetch(config.cellUrl.replace("{x}", x).replace("{y}", y)).then((r) => r.json()).then((data) => {
        const fresh = data.counties.features.filter((f) => !drawnCounties.has(f.properties.fips));
        fresh.forEach((f) => drawnCounties.add(f.properties.fips));
        L.geoJSON({ type: "FeatureCollection", features: fresh },
          { pane: "outlines", style: { color: "#9aa5b1", weight: 0.8, fill: false }, interactive: false }).addTo(counties);
        cells.set(key, data.places);
        drawLabels();
      }).catch(() => cells.delete(key));
    }

    // The largest places in view first; a name that would overlap one already placed is left out.
    function drawLabels() {
      labels.clearLayers();
      const zoom = map.getZoom(), bounds = map.getBounds(), size = map.getSize(), least = minZipCodes(zoom);
      let places = nationalPlaces;
      if (zoom >= COUNTY_ZOOM) {
        places = [];
        for (const cellPlaces of cells.values()) if (cellPlaces) places.push(...cellPlaces);
        places.sort((a, b) => b[4] - a[4]);
      }
      const placed = [];
      for (const [name, , lat, lon, zipCodes] of places) {
        if (placed.length >= MAX_LABELS) break;
        if (zipCodes < least || !bounds.contains([lat, lon])) continue;
        const p = map.latLngToContainerPoint([lat, lon]);
        const width = 7.5 * name.length + 12;
        if (p.x - width / 2 < 0 || p.x + width / 2 > size.x || p.y < 10 || p.y > size.y - 10) continue;  // cut by an edge
        if (placed.some((q) => Math.abs(q.x - p.x) < (q.width + width) / 2 && Math.abs(q.y - p.y) < 18)) continue;
        placed.push({ x: p.x, y: p.y, width });
        const span = document.createElement("span");
        span.textContent = name;
        span.setAttribute("aria-hidden", "true");  // the map's names are for the eye; results are read as a list
        L.marker([lat, lon], {
          pane: "placeNames", interactive: false, keyboard: false,
          icon: L.divIcon({ className: zipCodes >= 20 ? "place-name large" : "place-name", html: span, iconSize: null }),
        }).addTo(labels);
      }
    }

    function refresh() {
      if (map.getZoom() >= COUNTY_ZOOM) {
        counties.addTo(map);
        for (const [x, y] of visibleCells()) loadCell(x, y);
      } else {
        counties.remove();
      }
      drawLabels();
    }
    map.on("moveend resize", refresh);
    map.whenReady(refresh);
  };
})();
