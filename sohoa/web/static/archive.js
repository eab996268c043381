// The fixity page: while a check runs, ask the service every two seconds and show the page again when it ends.
"use strict";
(() => {
  const run = document.getElementById("fixity-run");
  if (!run || run.dataset.running !== "true") return;
  const poll = async () => {
    try {
      const status = await sohoa.api("/api/fixity");
      if (!status.state.running) {
        window.location.reload();
        return;
      }
    } catch (e) { /* the service did not answer: ask again */ }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 2000);
})();
