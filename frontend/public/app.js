// Fills the figures on the home page from the GraphQL API.
(async function () {
  const status = document.getElementById("stato");
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ query: "query PlatformStats { platformStats { organizations openOffers openNeeds municipalities neighbourhoods } }" })
    });
    const body = await response.json();
    if (!body.data) throw new Error("no data");
    const stats = body.data.platformStats;
    const format = new Intl.NumberFormat("it-IT");
    for (const element of document.querySelectorAll("[data-stat]")) {
      element.textContent = format.format(stats[element.dataset.stat]);
    }
  } catch (error) {
    status.textContent = "Non riusciamo a leggere i numeri della piattaforma in questo momento.";
  }
})();

// Search: the GraphQL `search` query, results with their highlighted words.
(function () {
  const form = document.getElementById("cerca");
  if (!form) return;
  const list = document.getElementById("risultati");
  const status = document.getElementById("esito-ricerca");
  const typeLabels = { NEED: "Bisogno", OFFER: "Offerta", ORGANIZATION: "Organizzazione" };
  const query = `query Search($q: String!, $filter: SearchFilter) {
    search(query: $q, filter: $filter, first: 10) {
      totalCount suggestion relaxed
      nodes {
        type
        highlights { field fragments }
        organization { name kindLabel seatMunicipality { name } }
        offer { title kindLabel organization { name } }
        need { title kindLabel organization { name } neighbourhood { name } municipality { name } }
      }
    }
  }`;

  // Highlights are escaped by the server except for its own <mark> tags;
  // everything else is inserted as text.
  function fragmentNode(html) {
    const span = document.createElement("span");
    for (const part of html.split(/(<mark>.*?<\/mark>)/)) {
      const mark = part.match(/^<mark>(.*)<\/mark>$/);
      const text = document.createElement("textarea");
      text.innerHTML = mark ? mark[1] : part;
      if (mark) {
        const m = document.createElement("mark");
        m.textContent = text.value;
        span.appendChild(m);
      } else {
        span.appendChild(document.createTextNode(text.value));
      }
    }
    return span;
  }

  function item(hit) {
    const li = document.createElement("li");
    const record = hit.need || hit.offer || hit.organization || {};
    const title = document.createElement("h3");
    title.textContent = record.title || record.name || "";
    const meta = document.createElement("p");
    meta.className = "nota";
    const owner = record.organization ? " — " + record.organization.name : "";
    const place = (record.neighbourhood && record.neighbourhood.name) || (record.municipality && record.municipality.name)
      || (record.seatMunicipality && record.seatMunicipality.name) || "";
    meta.textContent = typeLabels[hit.type] + " · " + (record.kindLabel || "") + owner + (place ? " · " + place : "");
    li.append(title, meta);
    const snippet = hit.highlights.find((h) => h.field !== "title");
    if (snippet && snippet.fragments.length) {
      const p = document.createElement("p");
      p.appendChild(fragmentNode(snippet.fragments[0]));
      li.appendChild(p);
    }
    return li;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const filter = form.tipo.value ? { types: [form.tipo.value] } : null;
    status.textContent = "Ricerca in corso…";
    list.replaceChildren();
    try {
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json" },
        body: JSON.stringify({ query, variables: { q: form.q.value, filter } })
      });
      const body = await response.json();
      if (body.errors) { status.textContent = body.errors[0].message; return; }
      const result = body.data.search;
      const format = new Intl.NumberFormat("it-IT");
      let text = result.totalCount === 1 ? "1 risultato" : format.format(result.totalCount) + " risultati";
      if (result.suggestion) text += " — forse cercavi: «" + result.suggestion + "»";
      if (result.relaxed) text += " (nessun risultato con tutte le parole: ecco quelli con alcune)";
      status.textContent = text;
      list.replaceChildren(...result.nodes.map(item));
      // Keep the search in the address, so it can be shared or bookmarked.
      const params = new URLSearchParams();
      if (form.q.value) params.set("q", form.q.value);
      if (form.tipo.value) params.set("tipo", form.tipo.value);
      history.replaceState(null, "", params.toString() ? "/?" + params : "/");
    } catch (error) {
      status.textContent = "La ricerca non è disponibile in questo momento.";
    }
  });

  const initial = new URLSearchParams(window.location.search);
  if (initial.has("q") || initial.has("tipo")) {
    form.q.value = initial.get("q") || "";
    form.tipo.value = initial.get("tipo") || "";
    form.requestSubmit();
  }
})();
