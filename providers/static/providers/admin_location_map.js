// Admin: show a location's exact point (blue) and, for confidential sites, its public point (grey).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".location-map").forEach(function (element) {
    var exact = [parseFloat(element.dataset.lat), parseFloat(element.dataset.lon)];
    var map = L.map(element).setView(exact, 13);
    window.drawBasemap(map, JSON.parse(element.dataset.basemap));  // tiles only when MAP_TILE_URL is set
    L.circleMarker(exact, { radius: 8, color: "#0b3d91" }).addTo(map).bindTooltip("exact point");
    if (element.dataset.publicLat && element.dataset.publicLat !== String(exact[0])) {
      var shown = [parseFloat(element.dataset.publicLat), parseFloat(element.dataset.publicLon)];
      L.circleMarker(shown, { radius: 8, color: "#666" }).addTo(map).bindTooltip("public (approximate) point");
      map.fitBounds([exact, shown], { padding: [30, 30] });
    }
  });
});
