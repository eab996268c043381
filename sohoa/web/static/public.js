// The verification page works without this: it only refuses a file over the limit before sending it (the server
// refuses it too, but only once the whole file has been sent).
"use strict";
(() => {
  const input = document.getElementById("f-file");
  if (!input) return;
  const limit = Number(input.dataset.maxBytes);
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    input.setCustomValidity(file && file.size > limit ? input.dataset.tooLarge : "");
    input.reportValidity();
  });
})();
