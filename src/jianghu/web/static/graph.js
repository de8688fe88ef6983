// jianghu link graph: draws /api/v1/actors/ID/graph with cytoscape (vendored).
// Labels come from criminals' messages: cytoscape paints them on a canvas as text, and
// the only other place they go is textContent, never HTML. A click follows a node's url
// only when it is a path on this server.
"use strict";
(function () {
  const box = document.getElementById("graph");
  const status = document.getElementById("graph-status");
  if (!box || typeof window.cytoscape !== "function") return;

  const COLOURS = {
    actor: "#14213d", account: "#3a86ff", channel: "#8d99ae",
    contact: "#fca311", wallet: "#2a9d8f",
  };
  const SHAPES = {
    actor: "star", account: "ellipse", channel: "round-rectangle",
    contact: "diamond", wallet: "hexagon",
  };
  const EDGE_COLOURS = {exposure: "#d62828", verdict: "#d62828", vouch: "#2a9d8f"};
  // cytoscape inserts a <style> element (refused by the CSP: style-src 'self') unless an
  // element with this id exists; the one rule it wanted, position: relative on the
  // container, is in actors.css.
  const CYTOSCAPE_STYLE_ID = "__________cytoscape_stylesheet";

  function say(text) {
    if (status) status.textContent = text;
  }

  function samePath(url) {
    // "/x" but not "//host" or "/\host" (browsers read both as another origin).
    return typeof url === "string" && /^\/(?![\/\\])/.test(url);
  }

  function elements(data) {
    const known = new Set();
    const out = [];
    for (const n of data.nodes || []) {
      known.add(String(n.id));
      out.push({group: "nodes", data: {
        id: String(n.id), label: String(n.label || ""), type: String(n.type || ""),
        url: samePath(n.url) ? n.url : "",
      }, classes: String(n.type || "")});
    }
    let i = 0;
    for (const e of data.edges || []) {
      if (!known.has(String(e.source)) || !known.has(String(e.target))) continue;
      out.push({group: "edges", data: {
        id: "e" + (i++), source: String(e.source), target: String(e.target),
        kind: String(e.kind || ""), why: String(e.why || ""),
      }});
    }
    return out;
  }

  function style() {
    const rules = [
      {selector: "node", style: {
        "label": "data(label)", "font-size": 10, "text-valign": "bottom",
        "text-margin-y": 3, "text-wrap": "ellipsis", "text-max-width": 140,
        "width": 18, "height": 18, "color": "#1d1d1f",
      }},
      {selector: "edge", style: {
        "width": 1.2, "line-color": "#b0b0b0", "curve-style": "bezier",
        "target-arrow-shape": "none",
      }},
      {selector: "node[url != '']", style: {"border-width": 1, "border-color": "#555"}},
      {selector: "node:selected", style: {"border-width": 3, "border-color": "#000"}},
    ];
    for (const [type, colour] of Object.entries(COLOURS)) {
      rules.push({selector: "node." + type, style: {
        "background-color": colour, "shape": SHAPES[type],
      }});
    }
    rules.push({selector: "node.actor", style: {"width": 30, "height": 30, "font-weight": "bold"}});
    for (const [kind, colour] of Object.entries(EDGE_COLOURS)) {
      rules.push({selector: "edge[kind = '" + kind + "']", style: {"line-color": colour}});
    }
    return rules;
  }

  function draw(data) {
    if (!document.getElementById(CYTOSCAPE_STYLE_ID)) {
      const marker = document.createElement("meta");
      marker.id = CYTOSCAPE_STYLE_ID;
      document.head.appendChild(marker);
    }
    const cy = window.cytoscape({
      container: box,
      elements: elements(data),
      style: style(),
      layout: {name: "cose", animate: false, padding: 20, nodeRepulsion: 9000},
      minZoom: 0.2, maxZoom: 4,
    });
    cy.on("tap", "node", function (ev) {
      const url = ev.target.data("url");
      if (samePath(url)) window.location.assign(url);
    });
    cy.on("mouseover", "edge", function (ev) {
      say(ev.target.data("kind") + ": " + ev.target.data("why"));
    });
    cy.on("mouseover", "node", function (ev) {
      say(ev.target.data("type") + ": " + ev.target.data("label"));
    });
    const n = (data.nodes || []).length;
    say(n + " nodes, " + (data.edges || []).length + " edges" +
        (data.truncated ? "; " + data.omitted_nodes + " more left out (cap " + data.cap + ")" : ""));
    box.dataset.ready = "1";  // for tests and anyone waiting on the drawing
  }

  const src = box.dataset.src;
  if (!samePath(src)) return;
  fetch(src, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body && body.error ? body.error.message : "HTTP " + res.status);
        return body;
      });
    })
    .then(draw)
    .catch(function (err) { say("graph: " + String(err.message || err)); });
})();
