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
