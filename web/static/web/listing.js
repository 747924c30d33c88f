// Listing map: the site's point (approximate for a confidential site the viewer may not see exactly, drawn
// as an area rather than a pin) and the areas its services cover.
(function () {
  "use strict";
  // Leaflet reads a popup's string as HTML: listing text goes in as a text node inside an element, never markup.
  function asText(value) {
    const span = document.createElement("span");
    span.className = "popup-text";
    span.textContent = value;
    return span;
  }
  window.addEventListener("load", function () {
    const el = document.getElementById("map");
    if (!el || !window.L) return;
    const data = JSON.parse(el.dataset.listing);
    const map = L.map(el).setView([39.5, -98.35], 4);
    window.drawBasemap(map, data.basemap);
    const bounds = [];
    for (const area of data.areas) {
      const layer = L.geoJSON(area.geometry, { style: { color: "#2d6a4f", weight: 1, fillOpacity: 0.15 } })
        .bindPopup(asText(area.name)).addTo(map);
      bounds.push(layer.getBounds());
    }
    if (data.point) {
      if (data.approximate) {
        L.circle(data.point, { radius: 3000, color: "#0b3d91", fillOpacity: 0.1 }).addTo(map);
      } else {
        L.marker(data.point).addTo(map);
      }
      map.setView(data.point, 12);
    } else if (bounds.length) {
      map.fitBounds(bounds[0]);
    }
  });
})();
