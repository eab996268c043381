// sohoa's pages work without JavaScript; where a page updates live, it uses these helpers.
"use strict";
window.sohoa = {
  csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  },
  // fetch with the session cookie and the CSRF token; rejects with the server's words on an error answer
  async api(path, options = {}) {
    const headers = Object.assign({"X-CSRF-Token": sohoa.csrf(), "Accept": "application/json"}, options.headers || {});
    const answer = await fetch(path, Object.assign({credentials: "same-origin"}, options, {headers}));
    if (!answer.ok) {
      let detail = answer.statusText;
      try { detail = (await answer.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
    }
    return answer.status === 204 ? null : answer.json();
  },
};
