// The coverage page's choropleth (web/coverage_views.py): the counties of the API's GeoJSON coloured by the miles
// to the nearest provider, on the pages' own basemap. The table under the map says the same for screen readers.
(function () {
  "use strict";
  const COLOURS = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];
  const NONE = "#3e4c59";

  function colour(miles, classes) {
    if (miles === null || miles === undefined) return NONE;
    for (let i = 0; i < classes.length; i++) if (miles <= classes[i]) return COLOURS[i];
    return COLOURS[classes.length];
  }

  document.addEventListener("DOMContentLoaded", function () {
    const element = document.getElementById("coverage-map");
    if (!element || !window.L) return;
    const config = JSON.parse(element.dataset.config);
    const map = L.map(element, { zoomSnap: 0.5 }).fitBounds([[24.5, -125], [49.5, -66.5]]);
    window.drawBasemap(map, config);
    if (!config.geojson) return;
    fetch(config.geojson, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      L.geoJSON(data, {
        style: (f) => ({ color: "#7b8794", weight: 0.3, fillOpacity: 0.8, fillColor: colour(f.properties.miles, config.classes) }),
        onEachFeature: (f, layer) => {
          const p = f.properties, labels = config.labels;
          const miles = p.miles === null ? labels.none : p.miles + " " + labels.mi;
          const unmet = p.unmet_requests ? "; " + p.unmet_requests + " " + labels.unmet : "";
          layer.bindTooltip(p.name + ", " + p.state + ": " + miles + unmet, { sticky: true });
        },
      }).addTo(map);
      element.dataset.loaded = String(data.features.length);
    }).catch(() => { element.dataset.loaded = "failed"; });
  });
})();
