// The pages that e-mail links open: confirm an address, choose a new
// password, accept an invitation, answer a request to manage an organisation. Each calls one GraphQL mutation and says
// plainly, in Italian, what happened and what to do next.
(function () {
  const token = new URLSearchParams(window.location.search).get("token") || "";

  async function graphql(query, variables, bearer) {
    const headers = { "Content-Type": "application/json", "Accept": "application/graphql-response+json, application/json" };
    if (bearer) headers["Authorization"] = "Bearer " + bearer;
    const response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    return response.json();
  }

  function firstError(body) {
    return body && body.errors && body.errors.length ? body.errors[0] : null;
  }

  function show(id) {
    const section = document.getElementById(id);
    section.hidden = false;
    return section;
  }

  async function verify() {
    const section = show("verifica");
    const result = section.querySelector(".esito");
    const body = await graphql("mutation Verify($t: String!) { verifyEmail(token: $t) { displayName } }", { t: token });
    const error = firstError(body);
    result.textContent = error
      ? error.message
      : "Grazie " + body.data.verifyEmail.displayName + ", il tuo indirizzo è confermato. Ora puoi registrare la tua organizzazione e pubblicare offerte e bisogni.";
  }

  function reset() {
    const section = show("reimposta");
    const form = section.querySelector("form");
    const input = section.querySelector("#nuova-password");
    const fieldError = section.querySelector("#nuova-password-errore");
    const result = section.querySelector(".esito");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      fieldError.textContent = "";
      const body = await graphql("mutation Reset($t: String!, $p: String!) { resetPassword(token: $t, password: $p) }", { t: token, p: input.value });
      const error = firstError(body);
      if (!error) {
        form.hidden = true;
        result.textContent = "Password cambiata. Per sicurezza ti abbiamo disconnesso da tutti i dispositivi: accedi con la nuova password.";
      } else if (error.extensions && error.extensions.field === "password") {
        fieldError.textContent = error.message;
        input.setAttribute("aria-invalid", "true");
        input.focus();
      } else {
        result.textContent = error.message;
      }
    });
  }

  function accept() {
    const section = show("invito");
    const form = section.querySelector("form");
    const result = section.querySelector(".esito");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const login = await graphql("mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
        { e: form.email.value, p: form.password.value });
      let error = firstError(login);
      if (error) { result.textContent = error.message; return; }
      const accepted = await graphql("mutation Accept($t: String!) { acceptInvitation(token: $t) { role organization { name } } }",
        { t: token }, login.data.login.token);
      error = firstError(accepted);
      if (error) { result.textContent = error.message; return; }
      form.hidden = true;
      result.textContent = "Benvenuto! Ora fai parte di " + accepted.data.acceptInvitation.organization.name + ".";
    });
  }

  function answerClaim() {
    const section = show("rivendicazione");
    const result = section.querySelector(".esito");
    const buttons = section.querySelectorAll("button[data-risposta]");
    buttons.forEach((button) => button.addEventListener("click", async () => {
      buttons.forEach((b) => { b.disabled = true; });
      const approve = button.dataset.risposta === "si";
      const body = await graphql("mutation Answer($t: String!, $a: Boolean!) { answerOrganizationClaim(token: $t, approve: $a) { organizationName requesterName status } }",
        { t: token, a: approve });
      const error = firstError(body);
      if (error) {
        result.textContent = error.message;
        return;
      }
      const answer = body.data.answerOrganizationClaim;
      result.textContent = answer.status === "APPROVED"
        ? "Grazie. Ora " + answer.requesterName + " gestisce " + answer.organizationName + " su Trama."
        : "Grazie. La richiesta di " + answer.requesterName + " è stata respinta: non gestirà " + answer.organizationName + ".";
    }));
  }

  const path = window.location.pathname;
  if (path.startsWith("/account/verify")) verify();
  else if (path.startsWith("/account/reset")) reset();
  else if (path.startsWith("/invitations/accept")) accept();
  else if (path.startsWith("/organizations/claims/confirm")) answerClaim();
})();
