// The trainer's sign-in page. A sign-in link carries its single-use code in the fragment (#code=pkc_…), which the
// browser never sends to a server: this script takes it out of the address bar and the history at once
// (history.replaceState), then posts it from the page's form. The server answers with a session cookie.
"use strict";
(function () {
  const form = document.getElementById("sign-in");
  if (!form) return;
  const fields = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const code = fields.get("code") || "";
  if (window.location.hash) {
    window.history.replaceState(null, "", window.location.pathname);
  }
  if (!/^pk[ct]_[A-Za-z0-9_-]{20,90}$/.test(code)) return;
  const next = fields.get("next") || "";
  if (/^projector(\/cohort-[a-z0-9]{1,40}(\/console)?)?$/.test(next)) form.elements.next.value = next;
  form.elements.code.value = code;
  const note = document.getElementById("signing-in");
  if (note) note.hidden = false;
  form.submit();
})();
