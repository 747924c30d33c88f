// Search page: POSTs the form to /api/match/ (nothing about a caller in URLs or server logs), then shows
// the coverage plan, the ranked results and their markers, and specialists for the area.
(function () {
  "use strict";
  const form = document.getElementById("search-form");
  const results = document.getElementById("results");
  const plan = document.getElementById("coverage-plan");
  const errorBox = document.getElementById("search-error");
  const specialists = document.getElementById("specialists");
  const mapEl = document.getElementById("map");
  const config = JSON.parse(mapEl.dataset.config);
  // The page's words in the reader's language, from the server (web.views.search_labels).
  function t(key, english) { return (config.labels && config.labels[key]) || english; }
  let map, markers, originMarker;

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function text(tag, value, className) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (className) el.className = className;
    return el;
  }

  function setupMap() {
    if (!window.L || map) return;
    map = L.map(mapEl, { zoomControl: true }).setView([39.5, -98.35], 4);
    window.drawBasemap(map, config);  // outlines and place names from this site's own data (basemap.js)
    markers = L.layerGroup().addTo(map);
    map.on("zoomend", () => drawMarkers(lastOptions));
  }

  let lastOptions = [];
  // Markers closer than 40 px on screen are drawn as one numbered cluster (dense cities stay readable).
  function drawMarkers(options) {
    if (!map) return;
    markers.clearLayers();
    markerById.clear();
    // A marker removed under the pointer gets no mouseout: its card must not stay lit.
    for (const card of cardById.values()) card.classList.remove("highlight");
    const cells = new Map();
    for (const option of options) {
      if (option.location.latitude == null) continue;
      const p = map.project([option.location.latitude, option.location.longitude], map.getZoom());
      const key = Math.round(p.x / 40) + ":" + Math.round(p.y / 40);
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(option);
    }
    for (const group of cells.values()) {
      const first = group[0];
      const latlng = [first.location.latitude, first.location.longitude];
      if (group.length === 1) {
        const title = first.organization.name + (first.location.precision === "approximate" ? " (" + t("approximateArea", "approximate area") + ")" : "");
        // An element, not a string: Leaflet reads a popup's string as HTML, and listing text is never markup.
        const id = first.service_at_location_id;
        const marker = L.circleMarker(latlng, MARKER_STYLE).bindPopup(text("span", title, "popup-text")).addTo(markers);
        marker.on("mouseover", () => highlight(id, true)).on("mouseout", () => highlight(id, false));
        markerById.set(id, marker);
      } else {
        // An element here too: no script hands Leaflet an HTML string (a divIcon's string html is innerHTML).
        L.marker(latlng, {
          icon: L.divIcon({ className: "cluster", html: text("span", String(group.length)), iconSize: [30, 30] }),
          title: group.length + " " + t("results", "results"),
        }).on("click", () => map.setView(latlng, map.getZoom() + 2)).addTo(markers);
      }
    }
  }

  function payload() {
    const data = new FormData(form);
    const body = { near: data.get("near"), needs: data.getAll("needs") };
    if ((data.get("q") || "").trim()) body.q = data.get("q").trim();
    for (const name of ["language", "gender", "trafficking_type", "citizenship"]) {
      if (data.get(name)) body[name] = name === "language" ? [data.get(name)] : data.get(name);
    }
    if (data.getAll("accessibility").length) body.accessibility = data.getAll("accessibility");
    if (data.get("age")) body.age = Number(data.get("age"));
    if (data.get("radius_mi")) body.radius_mi = Number(data.get("radius_mi"));
    for (const name of ["language_required", "open_now", "accepting_referrals"]) {
      if (data.get(name)) body[name] = true;
    }
    return body;
  }

  // A need's label as the form shows it, in the reader's language; the code if the form has none.
  function needLabel(code) {
    const box = form.querySelector('input[name=needs][value="' + CSS.escape(code) + '"]');
    const label = box && box.closest("label");
    return label ? label.textContent.trim() : code;
  }

  // A card and its marker light up together, from either side (hover or keyboard focus).
  const markerById = new Map();
  const cardById = new Map();
  const MARKER_STYLE = { radius: 7, color: "#0b3d91", fillOpacity: 0.8, weight: 3 };
  function highlight(id, on) {
    const marker = markerById.get(id);
    if (marker) {
      marker.setStyle(on ? { radius: 11, color: "#b45309", weight: 4 } : MARKER_STYLE);
      if (on) marker.bringToFront();
    }
    const card = cardById.get(id);
    if (card) card.classList.toggle("highlight", on);
  }

  function renderOption(option) {
    const id = option.service_at_location_id;
    const li = document.createElement("li");
    li.className = "result";
    li.appendChild(text("h3", option.organization.name + " — " + option.service.name));
    // No distance: the service is reached through the area it serves (in person or by phone), not a site nearby.
    const facts = [option.distance_mi == null ? (option.in_service_area ? t("servesArea", "serves your area") : t("byPhone", "by phone or online"))
      : option.distance_mi + " " + t("mi", "mi")];
    if (option.open_now === true) facts.push(t("openNow", "open now"));
    if (option.beds_available != null) facts.push(option.beds_available + " " + t("bedsFree", "beds free"));
    if (option.languages && option.languages.length) facts.push(t("languages", "languages") + ": " + option.languages.join(", "));
    if (option.location.precision === "approximate") facts.push(t("approximate", "approximate area (confidential site)"));
    if (option.stale) facts.push(t("stale", "listing may be out of date"));
    li.appendChild(text("p", facts.join(" · "), "facts"));
    if (option.phone) {
      const line = text("p", t("phone", "Phone") + ": ", "phone");
      const call = text("a", option.phone.display || option.phone.number);
      call.href = "tel:" + option.phone.number + (option.phone.extension ? ";ext=" + option.phone.extension : "");
      line.appendChild(call);
      li.appendChild(line);
    }
    const actions = document.createElement("p");
    actions.className = "actions";
    if (form.dataset.canRefer === "true" && option.accepting_referrals) {
      const wanted = new FormData(form).getAll("needs").join(",");
      const link = text("a", t("sendReferral", "Send referral"), "send-referral");
      link.href = "/referrals/new/?offer=" + encodeURIComponent(id) + "&needs=" + encodeURIComponent(wanted);
      actions.appendChild(link);
    }
    const details = text("a", t("details", "Details"), "details-link");
    details.href = "/listings/" + encodeURIComponent(option.location.id) + "/";
    actions.appendChild(details);
    const pick = document.createElement("label");
    pick.className = "check";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.className = "print-pick";
    box.value = id;
    pick.append(box, " " + t("addToSheet", "Choose (print or send)"));
    actions.appendChild(pick);
    li.appendChild(actions);
    // The rest of the card, one click away: where it is and why it ranks here.
    const more = document.createElement("details");
    more.appendChild(text("summary", t("more", "Why it matches, and where")));
    const place = option.location.address;
    if (place) more.appendChild(text("p", [place.address_1, place.city, place.state_province, place.postal_code].filter(Boolean).join(", ")));
    const reasons = document.createElement("ul");
    reasons.className = "reasons";
    for (const reason of option.reasons) reasons.appendChild(text("li", reason));
    more.appendChild(reasons);
    li.appendChild(more);
    for (const [event, on] of [["mouseenter", true], ["mouseleave", false], ["focusin", true], ["focusout", false]]) {
      li.addEventListener(event, () => highlight(id, on));
    }
    cardById.set(id, li);
    return li;
  }

  function render(data) {
    results.replaceChildren();
    cardById.clear();
    plan.replaceChildren();
    if (data.coverage_plan.options.length) {
      plan.appendChild(text("h3", t("plan", "Coverage plan")));
      const list = document.createElement("ul");
      for (const option of data.coverage_plan.options) {
        list.appendChild(text("li", option.organization.name + ": " + option.needs_met.map(needLabel).join(", ")));
      }
      plan.appendChild(list);
    }
    for (const missing of data.coverage_plan.uncovered) plan.appendChild(text("p", missing.message, "uncovered"));
    if (!data.results.length) results.appendChild(text("li", t("none", "No services found within the radius.")));
    for (const option of data.results) results.appendChild(renderOption(option));
    if (specialists) {
      specialists.replaceChildren();
      for (const s of data.specialists) specialists.appendChild(text("li", s.name + " (" + s.hsi_office + "): " + s.phone));
    }
    setupMap();
    if (map) {
      lastOptions = data.results;
      if (originMarker) originMarker.remove();
      originMarker = L.marker([data.origin.lat, data.origin.lon], { title: data.origin.label }).addTo(map);
      map.setView([data.origin.lat, data.origin.lon], 10);
      drawMarkers(lastOptions);
    }
  }

  const printButton = document.getElementById("print-selected");
  if (printButton) {
    printButton.addEventListener("click", () => {
      const picked = Array.from(document.querySelectorAll(".print-pick:checked")).map((box) => box.value);
      // Each id encoded: a value from the page never adds a parameter or a path to the URL.
      if (picked.length) window.open("/print/?offers=" + picked.map(encodeURIComponent).join(","), "_blank", "noopener");
    });
  }
  const sendButton = document.getElementById("send-selected");
  if (sendButton) {
    sendButton.addEventListener("click", () => {
      const picked = Array.from(document.querySelectorAll(".print-pick:checked")).map((box) => box.value);
      // Services' ids only: the number or address is typed on the next page and posted, never put in a URL.
      if (picked.length) window.location.assign("/send/?offers=" + picked.map(encodeURIComponent).join(","));
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.textContent = "";
    fetch("/api/match/", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
      body: JSON.stringify(payload()),
    }).then(async (response) => {
      const data = await response.json();
      if (!response.ok) {
        errorBox.textContent = Object.entries(data).map(([field, msg]) => field + ": " + [].concat(msg).join(" ")).join("; ");
        return;
      }
      render(data);
    }).catch(() => { errorBox.textContent = t("failed", "The search failed; please try again."); });
  });
  setupTypeAhead();
  window.addEventListener("load", setupMap);

  // The "Name or words" box: an ARIA combobox whose popup lists needs and names from /api/suggest/. A need
  // picked ticks its box; a name picked fills the box. The place is not sent: it stays out of URLs and logs.
  function setupTypeAhead() {
    const input = document.getElementById("q");
    const list = document.getElementById("q-suggestions");
    const status = document.getElementById("q-status");
    if (!input || !list) return;
    let items = [], active = -1, timer = null, asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      items = [];
      active = -1;
    }
    function mark(index) {
      active = index;
      items.forEach((item, i) => item.el.setAttribute("aria-selected", i === index ? "true" : "false"));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].el.id);
        items[index].el.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function choose(item) {
      if (item.kind === "need") {
        const box = form.querySelector('input[name=needs][value="' + CSS.escape(item.code) + '"]');
        if (box) {
          box.checked = true;
          const group = box.closest("details");
          if (group) group.open = true;
        }
        input.value = "";
      } else {
        input.value = item.text;
      }
      close();
      input.focus();
    }
    function show(suggestions) {
      list.replaceChildren();
      items = suggestions.map((s, i) => {
        const el = document.createElement("li");
        el.id = "q-option-" + i;
        el.setAttribute("role", "option");
        el.setAttribute("aria-selected", "false");
        el.appendChild(text("span", s.text));
        el.appendChild(text("span", t(s.kind, s.kind), "kind"));
        // mousedown, not click: the input keeps its focus (a blur would close the list first).
        el.addEventListener("mousedown", (event) => { event.preventDefault(); choose(s); });
        list.appendChild(el);
        return { ...s, el };
      });
      const open = items.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      mark(-1);  // the options are new: none is active until the arrows pick one
      status.textContent = !open ? t("noSuggestions", "No suggestions")
        : items.length === 1 ? t("oneSuggestion", "1 suggestion") : items.length + " " + t("suggestions", "suggestions");
    }
    function ask() {
      const typed = input.value.trim();
      if (typed.length < 2) { close(); status.textContent = ""; return; }
      const mine = ++asked;
      fetch("/api/suggest/?q=" + encodeURIComponent(typed), { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : { suggestions: [] }))
        .then((data) => { if (mine === asked && input.value.trim() === typed) show(data.suggestions); })
        .catch(() => close());
    }
    input.addEventListener("input", () => {
      if (active >= 0) mark(-1);  // typing leaves the option the arrows had picked
      clearTimeout(timer);
      timer = setTimeout(ask, 150);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        mark((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        mark(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();  // picks the suggestion; Enter with none picked submits the form
        choose(items[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 0));
  }
})();
